namespace StreamAnalytics.Contracts;

/// <summary>
/// One head's verdict on one window for one label: what detection turns into incidents. Every head, however it
/// scores (per frame, from the window's embeddings, from an ONNX classifier), reports in this one shape, so
/// detection needs no branch per head. The head's name and version travel into the event.
/// </summary>
/// <param name="Head">The head's name as events show it, e.g. <c>motion-knn</c> or a head model's manifest name.</param>
/// <param name="Version">The head's version (for a head model, its manifest version).</param>
/// <param name="Kind">A <see cref="HeadKind"/>: <c>anomaly</c> or <c>action</c>.</param>
/// <param name="Label">What was seen: an anomaly kind (<c>motion</c>, <c>appearance</c>) or an action class (<c>fight</c>).</param>
/// <param name="Score">Higher means more of <paramref name="Label"/>.</param>
/// <param name="Threshold">The limit the head compared <paramref name="Score"/> against.</param>
/// <param name="Above">Whether this window counts as above the threshold (the head decides: some compare with &gt;, some with ≥).</param>
internal readonly record struct HeadResult(string Head, string Version, string Kind, string Label, double Score, double Threshold, bool Above);
