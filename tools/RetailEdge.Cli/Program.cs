using RetailEdge.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
