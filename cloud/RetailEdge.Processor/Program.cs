using RetailEdge.Processor;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddProcessor();
var app = builder.Build();
app.MapProcessorEndpoints();
await app.RunAsync();
