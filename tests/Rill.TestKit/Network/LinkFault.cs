namespace Rill.TestKit.Network;

/// <summary>What the in-memory network does to the frames sent one way between two hosts.</summary>
public abstract record LinkFault
{
    /// <summary>Frames vanish (a lost request or answer: the sender waits for its timeout).</summary>
    public static LinkFault Drop { get; } = new DropFault();

    /// <summary>Frames arrive <paramref name="delay"/> later than sent, still in order.</summary>
    public static LinkFault Delay(TimeSpan delay) => new DelayFault(delay);

    internal sealed record DropFault : LinkFault;

    internal sealed record DelayFault(TimeSpan Duration) : LinkFault;
}
