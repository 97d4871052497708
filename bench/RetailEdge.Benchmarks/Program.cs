using RetailEdge.Benchmarks;

return await BenchmarkRunner.RunAsync(args).ConfigureAwait(false);
