using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rill.Config;

/// <summary>
/// Kafka's address formats: <c>NAME://host:port</c>, <c>host:port</c>, <c>id@host:port</c> and the
/// <c>NAME:PROTOCOL</c> map. Each method returns null on success or the reason the text is refused.
/// </summary>
internal static class ListenerParser
{
    public static string? TryParseListener(string text, out string name, out HostPort address)
    {
        name = string.Empty;
        address = new HostPort(string.Empty, 0);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return $"'{text}' is not in the form NAME://host:port";
        }

        name = text[..separator].ToUpperInvariant();
        if (!IsListenerName(name))
        {
            return $"'{text}' has an invalid listener name; use letters, digits, '_' or '-'";
        }

        var reason = TryParseHostPort(text[(separator + 3)..], out address);
        return reason is null ? null : $"'{text}': {reason}";
    }

    public static string? TryParseHostPort(string text, out HostPort address)
    {
        address = new HostPort(string.Empty, 0);
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return $"'{text}' is not in the form [IPv6]:port";
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"'{host}' is not an IPv6 address";
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                return $"'{text}' is not in the form host:port";
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                return $"IPv6 host '{host}' must be written in brackets, as [{host}]";
            }

            if (!host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '%'))
            {
                return $"'{host}' is not a valid host";
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return $"port '{portText}' is not a number between 0 and 65535";
        }

        address = new HostPort(host, port);
        return null;
    }

    public static string? TryParseVoter(string text, out QuorumVoter voter)
    {
        voter = new QuorumVoter(0, string.Empty, 0);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || !int.TryParse(text.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out var nodeId))
        {
            return $"'{text}' is not in the form id@host:port";
        }

        var reason = TryParseHostPort(text[(at + 1)..], out var address);
        if (reason is not null)
        {
            return $"'{text}': {reason}";
        }

        voter = new QuorumVoter(nodeId, address.Host, address.Port);
        return null;
    }

    public static string? TryParseProtocolMap(string text, out Dictionary<string, SecurityProtocol> map)
    {
        map = new Dictionary<string, SecurityProtocol>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return null;
        }

        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !IsListenerName(parts[0].ToUpperInvariant()))
            {
                return $"'{item}' is not in the form LISTENER_NAME:PROTOCOL";
            }

            if (!TryParseProtocol(parts[1], out var protocol))
            {
                return $"'{parts[1]}' is not a security protocol; use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL";
            }

            if (!map.TryAdd(parts[0].ToUpperInvariant(), protocol))
            {
                return $"listener '{parts[0]}' is mapped twice";
            }
        }

        return null;
    }

    public static string ProtocolName(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Plaintext => "PLAINTEXT",
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        _ => "SASL_SSL",
    };

    public static bool TryParseProtocol(string text, out SecurityProtocol protocol)
    {
        switch (text.ToUpperInvariant())
        {
            case "PLAINTEXT":
                protocol = SecurityProtocol.Plaintext;
                return true;
            case "SSL":
                protocol = SecurityProtocol.Ssl;
                return true;
            case "SASL_PLAINTEXT":
                protocol = SecurityProtocol.SaslPlaintext;
                return true;
            case "SASL_SSL":
                protocol = SecurityProtocol.SaslSsl;
                return true;
            default:
                protocol = SecurityProtocol.Plaintext;
                return false;
        }
    }

    private static bool IsListenerName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
