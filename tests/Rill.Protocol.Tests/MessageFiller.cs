using System.Collections;
using System.Reflection;
using Rill.Common;

namespace Rill.Protocol.Tests;

/// <summary>
/// Builds a message with a non-default value in every field present at one version, driven by the
/// generated [KafkaField] facts: nested structs filled too, lists of two, nullable fields sometimes null.
/// Deterministic, so a failing case reproduces.
/// </summary>
internal sealed class MessageFiller
{
    private int _counter;

    public static IEnumerable<Type> TopLevelMessageTypes() =>
        typeof(KafkaReader).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsNested && t.IsSealed && IsMessageType(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static short Lowest(Type type) => (short)type.GetProperty("LowestSupportedVersion", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public static short Highest(Type type) => (short)type.GetProperty("HighestSupportedVersion", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public object Fill(Type type, short version)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var field = property.GetCustomAttribute<KafkaFieldAttribute>();
            if (field is null || !field.IsPresentIn(version))
            {
                continue;
            }

            _counter++;
            if (field.IsNullableIn(version) && _counter % 4 == 0)
            {
                property.SetValue(instance, null);
                continue;
            }

            property.SetValue(instance, NewValue(property.PropertyType, property.GetValue(instance), version));
        }

        return instance;
    }

    private object NewValue(Type type, object? current, short version)
    {
        var n = ++_counter;
        var step = 1 + (n % 50);
        switch (current)
        {
            case bool b:
                return !b;
            case sbyte v:
                return unchecked((sbyte)(v + step));
            case short v:
                return unchecked((short)(v + step));
            case ushort v:
                return unchecked((ushort)(v + step));
            case int v:
                return unchecked(v + step);
            case uint v:
                return unchecked(v + (uint)step);
            case long v:
                return unchecked(v + step);
            case double v:
                return v + step + 0.5;
            case Uuid:
                return new Uuid(n, (n * 31L) + 7);
        }

        if (type == typeof(string))
        {
            return n % 3 == 0 ? $"s{n}-\u00e9\u4e2d" : $"s{n}";
        }

        if (type == typeof(byte[]))
        {
            return new byte[] { 1, 2, (byte)n };
        }

        if (type == typeof(ReadOnlyMemory<byte>?))
        {
            return (ReadOnlyMemory<byte>?)new byte[] { 0xAA, (byte)n, 0x00, 0x7F };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var elementType = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            for (var i = 0; i < 2; i++)
            {
                list.Add(IsMessageType(elementType)
                    ? Fill(elementType, version)
                    : NewValue(elementType, elementType.IsValueType ? Activator.CreateInstance(elementType) : null, version));
            }

            return list;
        }

        if (IsMessageType(type))
        {
            return Fill(type, version);
        }

        throw new InvalidOperationException($"No filler for {type}.");
    }

    private static bool IsMessageType(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaMessage<>) && i.GetGenericArguments()[0] == type);
}
