namespace GitOps.Samples.Quickstart;

/// <summary>Prints what happens, for a newcomer reading along.</summary>
internal sealed class Narrator
{
    private readonly Lock _lock = new();
    private int _step;

    public void Step(string text)
    {
        lock (_lock)
        {
            Console.WriteLine($"[{++_step}] {text}");
        }
    }

    public void Detail(string text)
    {
        lock (_lock)
        {
            Console.WriteLine($"      {text}");
        }
    }

    public void Event(string text)
    {
        lock (_lock)
        {
            Console.WriteLine($"    · {text}");
        }
    }

    public void Line(string text)
    {
        lock (_lock)
        {
            Console.WriteLine(text);
        }
    }
}
