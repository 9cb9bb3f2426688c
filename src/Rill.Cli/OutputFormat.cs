namespace Rill.Cli;

/// <summary><c>--output</c>: tables for people, one JSON document for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
