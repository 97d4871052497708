using Microsoft.Extensions.Logging;

namespace RetailEdge.StoreGateway.Core;

/// <summary>The minimum log level, changeable at run time by the setLogLevel direct method.</summary>
public sealed class LogLevelSwitch
{
    private volatile int _level = (int)LogLevel.Information;

    public LogLevel Level
    {
        get => (LogLevel)_level;
        set => _level = (int)value;
    }

    public bool IsEnabled(LogLevel level) => level >= Level && level != LogLevel.None;
}
