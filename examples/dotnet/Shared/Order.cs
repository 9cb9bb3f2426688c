using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Rill.Examples;

/// <summary>
/// An order as it travels on the topic: a JSON value such as <c>{"orderId":7,"userId":"user-7","amount":42.5}</c>,
/// keyed by <see cref="UserId"/> so that all of one user's orders land in one partition and are processed in order.
/// </summary>
internal sealed record Order(int OrderId, string UserId, decimal Amount)
{
    // camelCase property names, as the Python examples write them, so any worker reads any producer's orders.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public string AmountText => Amount.ToString("0.00", CultureInfo.InvariantCulture);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads an order; false for anything else (a null value, plain text, JSON of another shape).</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out Order? order)
    {
        order = null;
        if (json is null)
        {
            return false;
        }

        try
        {
            order = JsonSerializer.Deserialize<Order>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return false;
        }

        return order is { UserId: not null };
    }
}
