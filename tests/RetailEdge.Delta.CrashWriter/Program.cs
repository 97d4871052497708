using RetailEdge.Delta.CrashWriter;

return await CrashWriterProgram.RunAsync(args).ConfigureAwait(false);
