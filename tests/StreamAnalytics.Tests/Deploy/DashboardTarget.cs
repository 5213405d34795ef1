namespace StreamAnalytics.Tests.Deploy;

/// <summary>One query of one dashboard panel, as Grafana stores it (before its variables are expanded).</summary>
public sealed record DashboardTarget(int PanelId, string PanelTitle, string RefId, string Expression)
{
    public override string ToString() => $"panel '{PanelTitle}' (id {PanelId}) query {RefId}: {Expression}";
}
