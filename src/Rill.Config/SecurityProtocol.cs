namespace Rill.Config;

/// <summary>Kafka's listener security protocols; Rill serves only <see cref="Plaintext"/> for now.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}
