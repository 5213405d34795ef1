using System.Text;

namespace StreamAnalytics.Configuration;

/// <summary>
/// FNV-1a (32 bit) of a camera id's UTF-8 bytes: the same on every machine, process and .NET version, unlike
/// string.GetHashCode, which is randomised per process. Used wherever a camera's id must pick the same thing on every
/// run: its shard, and the seeds of its learning samples (so that a replay or a restart learns what the last one did).
/// </summary>
internal static class CameraIdHash
{
    public static uint Of(string cameraId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(cameraId))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    /// <summary>The hash as a seed for <see cref="Random"/>; <paramref name="salt"/> gives one camera independent streams.</summary>
    public static int SeedOf(string cameraId, uint salt = 0) => unchecked((int)(Of(cameraId) ^ salt));
}
