using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Query;

/// <summary>
/// The subset of IoT Hub's query language the emulator serves: <c>SELECT * FROM devices</c>
/// or <c>SELECT * FROM devices.modules</c> with an optional WHERE of comparisons
/// (=, !=, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=) between a twin path (deviceId, moduleId,
/// properties.reported.*, properties.desired.*, tags.*, status, connectionState) and a literal,
/// IS_DEFINED(path), NOT, AND, OR and parentheses. As in IoT Hub, a comparison with a missing
/// property or a value of another type is false. Pure: parse once, evaluate on twin documents.
/// </summary>
public sealed class TwinQuery
{
    private readonly Func<JsonObject, bool> _predicate;

    private TwinQuery(bool modules, Func<JsonObject, bool> predicate)
    {
        OverModules = modules;
        _predicate = predicate;
    }

    /// <summary>True for devices.modules (module twins), false for devices (device twins).</summary>
    public bool OverModules { get; }

    public bool Matches(JsonObject twin) => _predicate(twin);

    /// <summary>Parses a query; throws <see cref="FormatException"/> naming what is not understood.</summary>
    public static TwinQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 8192)
        {
            throw new FormatException("the query is longer than 8192 characters");
        }
        var parser = new Parser(Tokenizer.Tokenize(text));
        return parser.ParseQuery();
    }

    private enum TokenKind
    {
        Word,
        String,
        Number,
        Symbol,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position);

    private static class Tokenizer
    {
        public static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (char.IsAsciiLetter(c) || c is '_' or '$')
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$' or '.'))
                    {
                        i++;
                    }
                    tokens.Add(new Token(TokenKind.Word, text[start..i], start));
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    var start = i;
                    i++;
                    while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E' or '+' or '-'))
                    {
                        i++;
                    }
                    tokens.Add(new Token(TokenKind.Number, text[start..i], start));
                }
                else if (c is '\'' or '"')
                {
                    var start = i;
                    var quote = c;
                    var value = new System.Text.StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new FormatException($"unterminated string starting at position {start}");
                        }
                        if (text[i] == quote)
                        {
                            if (i + 1 < text.Length && text[i + 1] == quote)
                            {
                                value.Append(quote);
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        value.Append(text[i]);
                        i++;
                    }
                    tokens.Add(new Token(TokenKind.String, value.ToString(), start));
                }
                else
                {
                    var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                    if (two is "<=" or ">=" or "!=" or "<>")
                    {
                        tokens.Add(new Token(TokenKind.Symbol, two, i));
                        i += 2;
                    }
                    else if (c is '=' or '<' or '>' or '(' or ')' or '*' or ',')
                    {
                        tokens.Add(new Token(TokenKind.Symbol, c.ToString(), i));
                        i++;
                    }
                    else
                    {
                        throw new FormatException($"unexpected character '{c}' at position {i}");
                    }
                }
            }
            tokens.Add(new Token(TokenKind.End, string.Empty, text.Length));
            return tokens;
        }
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _index;

        private Token Current => tokens[_index];

        public TwinQuery ParseQuery()
        {
            ExpectWord("SELECT");
            ExpectSymbol("*");
            ExpectWord("FROM");
            var source = Next();
            bool modules;
            if (source.Kind == TokenKind.Word && source.Text.Equals("devices.modules", StringComparison.OrdinalIgnoreCase))
            {
                modules = true;
            }
            else if (source.Kind == TokenKind.Word && source.Text.Equals("devices", StringComparison.OrdinalIgnoreCase))
            {
                modules = false;
            }
            else
            {
                throw new FormatException($"FROM supports devices and devices.modules, not '{source.Text}'");
            }
            Func<JsonObject, bool> predicate = _ => true;
            if (IsWord("WHERE"))
            {
                _index++;
                predicate = ParseOr();
            }
            if (Current.Kind != TokenKind.End)
            {
                throw new FormatException($"unexpected '{Current.Text}' at position {Current.Position}");
            }
            return new TwinQuery(modules, predicate);
        }

        private Func<JsonObject, bool> ParseOr()
        {
            var left = ParseAnd();
            while (IsWord("OR"))
            {
                _index++;
                var l = left;
                var r = ParseAnd();
                left = twin => l(twin) || r(twin);
            }
            return left;
        }

        private Func<JsonObject, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (IsWord("AND"))
            {
                _index++;
                var l = left;
                var r = ParseUnary();
                left = twin => l(twin) && r(twin);
            }
            return left;
        }

        private Func<JsonObject, bool> ParseUnary()
        {
            if (IsWord("NOT"))
            {
                _index++;
                var inner = ParseUnary();
                return twin => !inner(twin);
            }
            if (Current is { Kind: TokenKind.Symbol, Text: "(" })
            {
                _index++;
                var inner = ParseOr();
                ExpectSymbol(")");
                return inner;
            }
            if (IsWord("IS_DEFINED"))
            {
                _index++;
                ExpectSymbol("(");
                var path = ParsePath();
                ExpectSymbol(")");
                return twin => Resolve(twin, path) is not null;
            }
            var property = ParsePath();
            var op = Next();
            if (op.Kind != TokenKind.Symbol || op.Text is not ("=" or "!=" or "<>" or "<" or "<=" or ">" or ">="))
            {
                throw new FormatException($"expected a comparison operator at position {op.Position}, found '{op.Text}'");
            }
            var literal = ParseLiteral();
            var comparison = op.Text;
            return twin => Compare(Resolve(twin, property), comparison, literal);
        }

        private string[] ParsePath()
        {
            var token = Next();
            if (token.Kind != TokenKind.Word || token.Text.StartsWith('.') || token.Text.EndsWith('.') || token.Text.Contains("..", StringComparison.Ordinal))
            {
                throw new FormatException($"expected a property path at position {token.Position}, found '{token.Text}'");
            }
            var segments = token.Text.Split('.');
            var root = segments[0];
            var known = root is "deviceId" or "moduleId" or "status" or "connectionState" or "version" or "etag"
                || (root == "tags" && segments.Length > 1)
                || (root == "properties" && segments.Length > 2 && segments[1] is "reported" or "desired");
            if (!known)
            {
                throw new FormatException($"unsupported property '{token.Text}': use deviceId, moduleId, status, connectionState, tags.*, properties.reported.* or properties.desired.*");
            }
            return segments;
        }

        private JsonNode? ParseLiteral()
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.String:
                    return JsonValue.Create(token.Text);
                case TokenKind.Number:
                    if (!double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        throw new FormatException($"'{token.Text}' is not a number");
                    }
                    return JsonValue.Create(number);
                case TokenKind.Word when token.Text.Equals("true", StringComparison.OrdinalIgnoreCase):
                    return JsonValue.Create(true);
                case TokenKind.Word when token.Text.Equals("false", StringComparison.OrdinalIgnoreCase):
                    return JsonValue.Create(false);
                case TokenKind.Word when token.Text.Equals("null", StringComparison.OrdinalIgnoreCase):
                    return null;
                default:
                    throw new FormatException($"expected a literal at position {token.Position}, found '{token.Text}'");
            }
        }

        private bool IsWord(string word) => Current.Kind == TokenKind.Word && Current.Text.Equals(word, StringComparison.OrdinalIgnoreCase);

        private void ExpectWord(string word)
        {
            if (!IsWord(word))
            {
                throw new FormatException($"expected {word} at position {Current.Position}");
            }
            _index++;
        }

        private void ExpectSymbol(string symbol)
        {
            if (Current.Kind != TokenKind.Symbol || Current.Text != symbol)
            {
                throw new FormatException($"expected '{symbol}' at position {Current.Position}");
            }
            _index++;
        }

        private Token Next()
        {
            var token = Current;
            if (token.Kind != TokenKind.End)
            {
                _index++;
            }
            return token;
        }
    }

    private static JsonNode? Resolve(JsonObject twin, string[] path)
    {
        JsonNode? node = twin;
        foreach (var segment in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node))
            {
                return null;
            }
        }
        return node;
    }

    // values may be backed by a JsonElement or by a CLR number of any type: read their JSON text
    private static double AsDouble(JsonValue value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool Compare(JsonNode? value, string op, JsonNode? literal)
    {
        if (literal is null)
        {
            // a comparison with null is never true: IoT Hub tests nulls with functions, not operators
            return false;
        }
        if (value is not JsonValue v || literal is not JsonValue l)
        {
            return false;
        }
        int order;
        if (v.GetValueKind() == JsonValueKind.String && l.GetValueKind() == JsonValueKind.String)
        {
            order = string.CompareOrdinal(v.GetValue<string>(), l.GetValue<string>());
        }
        else if (v.GetValueKind() == JsonValueKind.Number && l.GetValueKind() == JsonValueKind.Number)
        {
            order = AsDouble(v).CompareTo(AsDouble(l));
        }
        else if (v.GetValueKind() is JsonValueKind.True or JsonValueKind.False && l.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            if (op is not ("=" or "!=" or "<>"))
            {
                return false;
            }
            order = v.GetValueKind() == l.GetValueKind() ? 0 : 1;
        }
        else
        {
            return false;
        }
        return op switch
        {
            "=" => order == 0,
            "!=" or "<>" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            _ => false,
        };
    }
}
