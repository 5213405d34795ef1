namespace StreamAnalytics.Tools.Actions;

/// <summary>One row of a <c>path,label</c> clip manifest: <see cref="Path"/> as written, <see cref="FullPath"/> resolved against the manifest's folder.</summary>
internal sealed record LabelledClip(string Path, string FullPath, string Label);
