using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class JavaPropertiesTests
{
    private static Dictionary<string, string> Parse(string text) =>
        JavaProperties.Parse(text, "test.properties").ToDictionary(entry => entry.Key, entry => entry.Value);

    [Fact]
    public void Parse_CommentsAndBlankLines_AreSkipped()
    {
        var entries = Parse("# comment\n! also a comment\n\n   \t\n  # indented comment\na=1\n");

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, entries);
    }

    [Theory]
    [InlineData("key=value")]
    [InlineData("key = value")]
    [InlineData("key:value")]
    [InlineData("key : value")]
    [InlineData("key value")]
    [InlineData("key\t\tvalue")]
    [InlineData("   key=value")]
    [InlineData("key  =value")]
    public void Parse_EachSeparator_SplitsKeyAndValue(string line)
    {
        Assert.Equal("value", Parse(line)["key"]);
    }

    [Fact]
    public void Parse_OnlyFirstSeparatorCounts_RestBelongsToValue()
    {
        var entries = Parse("listeners=PLAINTEXT://:9092\nmap = A:B=C\nkey==x");

        Assert.Equal("PLAINTEXT://:9092", entries["listeners"]);
        Assert.Equal("A:B=C", entries["map"]);
        Assert.Equal("=x", entries["key"]);
    }

    [Fact]
    public void Parse_KeyWithoutValue_HasEmptyValue()
    {
        var entries = Parse("lonely\nother=");

        Assert.Equal(string.Empty, entries["lonely"]);
        Assert.Equal(string.Empty, entries["other"]);
    }

    [Fact]
    public void Parse_TrailingBackslash_ContinuesOnNextLineWithoutLeadingWhitespace()
    {
        var entries = Parse("listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nnext=1");

        Assert.Equal("PLAINTEXT://:9092,CONTROLLER://:9093", entries["listeners"]);
        Assert.Equal("1", entries["next"]);
    }

    [Fact]
    public void Parse_DoubleBackslashAtEnd_IsAnEscapedBackslashNotAContinuation()
    {
        var entries = Parse("dir=C:\\\\data\\\\\nnext=1");

        Assert.Equal("C:\\data\\", entries["dir"]);
        Assert.Equal("1", entries["next"]);
    }

    [Fact]
    public void Parse_ContinuationLineStartingWithHash_IsNotAComment()
    {
        Assert.Equal("a#b", Parse("key=a\\\n  #b")["key"]);
    }

    [Fact]
    public void Parse_CrLfAndCrLineEnds_AreLineEnds()
    {
        var entries = Parse("a=1\r\nb=2\rc=3");

        Assert.Equal(["1", "2", "3"], [entries["a"], entries["b"], entries["c"]]);
    }

    [Fact]
    public void Parse_Escapes_AreDecoded()
    {
        var entries = Parse("key=tab\\there\\nnew\\rret\\fform\\u00e9\\u0041 \\=\\:\\\\ \\q\nspace\\ key=1\ncolon\\:key=2");

        Assert.Equal("tab\there\nnew\rret\fforméA =:\\ q", entries["key"]);
        Assert.Equal("1", entries["space key"]);
        Assert.Equal("2", entries["colon:key"]);
    }

    [Theory]
    [InlineData("key=\\u00zz")]
    [InlineData("key=\\u12")]
    public void Parse_MalformedUnicodeEscape_FailsNamingFileAndLine(string line)
    {
        var error = Assert.Throws<ConfigException>(() => JavaProperties.Parse("# first\n" + line, "server.properties"));

        Assert.Equal("server.properties line 2: malformed \\uXXXX escape.", error.Message);
    }

    [Fact]
    public void Parse_RepeatedKey_KeepsBothInOrderWithLineNumbers()
    {
        var entries = JavaProperties.Parse("a=1\n\nb=x\\\n y\na=2", "f");

        Assert.Equal(
            [new PropertiesEntry("a", "1", 1), new PropertiesEntry("b", "xy", 3), new PropertiesEntry("a", "2", 5)],
            entries);
    }

    [Fact]
    public void Parse_TrailingWhitespaceOfValue_IsKept()
    {
        Assert.Equal("v  ", Parse("k=v  ")["k"]);
    }
}
