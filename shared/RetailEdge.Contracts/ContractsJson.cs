using System.Text.Encodings.Web;
using System.Text.Json;

namespace RetailEdge.Contracts;

/// <summary>
/// Writer options for every JSON the contracts produce. The default encoder escapes '+' (as in
/// "+01:00" offsets) and other HTML-sensitive characters; our JSON never lands in HTML, so the
/// relaxed encoder keeps timestamps readable and messages smaller. Use these options whenever you
/// hand your own <see cref="Utf8JsonWriter"/> to a contracts writer.
/// </summary>
public static class ContractsJson
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };
}
