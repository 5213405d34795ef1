namespace StreamAnalytics.Windowing;

internal sealed class WindowPool(string cameraId, int length)
{
    private readonly Stack<Window> _free = new(16);
    private readonly Lock _gate = new();

    public Window Rent()
    {
        lock (_gate)
        {
            if (_free.TryPop(out var window))
            {
                return window;
            }
        }

        return new Window(this, cameraId, length);
    }

    internal void Return(Window window)
    {
        lock (_gate)
        {
            _free.Push(window);
        }
    }
}
