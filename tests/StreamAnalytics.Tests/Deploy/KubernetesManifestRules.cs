using System.Text.Json.Nodes;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// What a rendered deployment (deploy/k8s) must hold, every problem found: probes, the state volume, shards,
/// the config file, the disruption budget, scraping, the security context and where secrets come from.
/// </summary>
internal static class KubernetesManifestRules
{
    private const string Container = "streamanalytics";

    public static List<string> Check(IReadOnlyList<JsonObject> objects)
    {
        var problems = new List<string>();
        var statefulSets = Of(objects, "StatefulSet");
        if (statefulSets.Count != 1)
        {
            problems.Add($"Expected one StatefulSet, found {statefulSets.Count}.");
            return problems;
        }

        var set = statefulSets[0];
        var pod = set["spec"]?["template"];
        var podLabels = Map(pod?["metadata"]?["labels"]);
        var container = (pod?["spec"]?["containers"]?.AsArray() ?? []).FirstOrDefault(c => Text(c?["name"]) == Container);
        if (container is null)
        {
            problems.Add($"The StatefulSet has no container named '{Container}'.");
            return problems;
        }

        var environment = Environment(container);
        CheckProbes(container, problems);
        CheckStateVolume(set, container, environment, problems);
        CheckShards(set, environment, problems);
        CheckConfigFile(objects, pod!, container, environment, problems);
        CheckSecrets(objects, container, problems);
        CheckSecurity(pod!, container, problems);

        if (!Selects(Map(set["spec"]?["selector"]?["matchLabels"]), podLabels))
        {
            problems.Add("The StatefulSet's selector does not match its pod template's labels.");
        }

        var budgets = Of(objects, "PodDisruptionBudget");
        if (budgets.Count == 0 || !budgets.All(b => Selects(Map(b["spec"]?["selector"]?["matchLabels"]), podLabels)))
        {
            problems.Add("A PodDisruptionBudget must select the pods (its matchLabels within the pod template's labels).");
        }

        var annotations = Map(pod?["metadata"]?["annotations"]);
        foreach (var (key, value) in new[] { ("prometheus.io/scrape", "true"), ("prometheus.io/port", "9464"), ("prometheus.io/path", "/metrics") })
        {
            if (annotations.GetValueOrDefault(key) != value)
            {
                problems.Add($"Pod annotation {key} must be \"{value}\" (got '{annotations.GetValueOrDefault(key) ?? "unset"}').");
            }
        }

        if (!Of(objects, "Service").Any(s => Text(s["spec"]?["clusterIP"]) == "None" && Selects(Map(s["spec"]?["selector"]), podLabels)
            && Text(s["metadata"]?["name"]) == Text(set["spec"]?["serviceName"])))
        {
            problems.Add("The StatefulSet's serviceName must be a headless Service (clusterIP: None) that selects its pods.");
        }

        var resources = container["resources"];
        foreach (var path in new[] { "requests.cpu", "requests.memory", "limits.memory" })
        {
            var parts = path.Split('.');
            if (Text(resources?[parts[0]]?[parts[1]]) is null)
            {
                problems.Add($"The container must set resources.{path}.");
            }
        }

        return problems;
    }

    public static List<JsonObject> Of(IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => Text(o["kind"]) == kind).ToList();

    /// <summary>The container's plain environment values; those from a secret read as a placeholder.</summary>
    public static Dictionary<string, string> Environment(JsonNode container) =>
        (container["env"]?.AsArray() ?? [])
            .Where(e => e is not null)
            .ToDictionary(e => Text(e!["name"])!, e => Text(e!["value"]) ?? "from-a-secret-0123456789", StringComparer.Ordinal);

    public static string? Text(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();

    private static void CheckProbes(JsonNode container, List<string> problems)
    {
        var port = (container["ports"]?.AsArray() ?? []).FirstOrDefault(p => Text(p?["containerPort"]) == "9464");
        if (port is null)
        {
            problems.Add("The container must declare containerPort 9464.");
        }

        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = container[probe]?["httpGet"];
            var target = Text(get?["port"]);
            if (Text(get?["path"]) != path || (target != "9464" && (target is null || target != Text(port?["name"]))))
            {
                problems.Add($"{probe} must be an HTTP GET of {path} on port 9464 (got {get?.ToJsonString() ?? "none"}).");
            }
        }
    }

    private static void CheckStateVolume(JsonObject set, JsonNode container, Dictionary<string, string> environment, List<string> problems)
    {
        var state = environment.GetValueOrDefault("StreamAnalytics__Pipeline__StateDirectory", ContainerImageRules.StateDirectory);
        var claims = (set["spec"]?["volumeClaimTemplates"]?.AsArray() ?? []).Select(c => Text(c?["metadata"]?["name"])).ToHashSet();
        var mount = (container["volumeMounts"]?.AsArray() ?? []).FirstOrDefault(m => Text(m?["mountPath"]) == state);
        if (mount is null || !claims.Contains(Text(mount["name"])))
        {
            problems.Add($"A volumeClaimTemplate must be mounted at the state directory {state}: it keeps the outbox and cameras.json.");
        }

        var outbox = environment.GetValueOrDefault("StreamAnalytics__Mqtt__Outbox__Directory", ContainerImageRules.StateDirectory + "/outbox");
        if (!outbox.StartsWith(state + "/", StringComparison.Ordinal))
        {
            problems.Add($"The outbox ({outbox}) must be inside the state directory ({state}), on the volume.");
        }
    }

    private static void CheckShards(JsonObject set, Dictionary<string, string> environment, List<string> problems)
    {
        var replicas = Text(set["spec"]?["replicas"]) ?? "1";
        if (environment.GetValueOrDefault("StreamAnalytics__Sharding__Count") != replicas)
        {
            problems.Add($"StreamAnalytics__Sharding__Count must equal replicas ({replicas}), got '{environment.GetValueOrDefault("StreamAnalytics__Sharding__Count") ?? "unset"}'.");
        }

        if (environment.GetValueOrDefault("StreamAnalytics__Sharding__OrdinalFromHostname") != "true")
        {
            problems.Add("StreamAnalytics__Sharding__OrdinalFromHostname must be \"true\": each pod's ordinal is its name's number.");
        }
    }

    private static void CheckConfigFile(IReadOnlyList<JsonObject> objects, JsonNode pod, JsonNode container, Dictionary<string, string> environment, List<string> problems)
    {
        var args = (container["args"]?.AsArray() ?? []).Select(Text).ToList();
        var at = args.IndexOf("--config");
        var path = at >= 0 && at + 1 < args.Count ? args[at + 1] : null;
        if (path is null)
        {
            problems.Add("The container must be started with --config FILE.");
            return;
        }

        var folder = path[..path.LastIndexOf('/')];
        var mount = (container["volumeMounts"]?.AsArray() ?? []).FirstOrDefault(m => Text(m?["mountPath"]) == folder);
        var volume = (pod["spec"]?["volumes"]?.AsArray() ?? []).FirstOrDefault(v => Text(v?["name"]) == Text(mount?["name"]));
        var map = Of(objects, "ConfigMap").FirstOrDefault(c => Text(c["metadata"]?["name"]) == Text(volume?["configMap"]?["name"]));
        var file = Text(map?["data"]?[path[(folder.Length + 1)..]]);
        if (file is null)
        {
            problems.Add($"{path} must come from a ConfigMap mounted at {folder}.");
            return;
        }

        problems.AddRange(DeployedConfiguration.Problems(file, environment).Select(p => $"{path}: {p}"));
        var streamAnalytics = JsonNode.Parse(file)?["StreamAnalytics"];
        var broker = Text(streamAnalytics?["Mqtt"]?["Host"]);
        if (Text(streamAnalytics?["Mqtt"]?["EmbeddedBroker"]) != "false" || !Of(objects, "Service").Any(s => Text(s["metadata"]?["name"]) == broker))
        {
            problems.Add($"{path}: Mqtt.EmbeddedBroker must be false and Mqtt.Host ('{broker}') a Service of the deployment (the external broker).");
        }
    }

    private static void CheckSecrets(IReadOnlyList<JsonObject> objects, JsonNode container, List<string> problems)
    {
        var env = (container["env"]?.AsArray() ?? []).Where(e => e is not null).ToList();
        var token = env.FirstOrDefault(e => Text(e!["name"]) == "STREAMANALYTICS_API_TOKEN");
        if (token?["valueFrom"]?["secretKeyRef"] is null)
        {
            problems.Add("STREAMANALYTICS_API_TOKEN must come from a Secret (secretKeyRef): Http.Host is not loopback.");
        }

        foreach (var literal in env.Where(e => e!["value"] is not null && (Text(e["name"])!.Contains("Password", StringComparison.OrdinalIgnoreCase) || Text(e["name"])!.Contains("Token", StringComparison.OrdinalIgnoreCase))))
        {
            problems.Add($"{Text(literal!["name"])} is written in the manifest: take it from a Secret.");
        }

        foreach (var secret in Of(objects, "Secret").Where(s => s["data"] is not null || s["stringData"] is not null))
        {
            problems.Add($"Secret {Text(secret["metadata"]?["name"])} is committed with its data: create it with kubectl instead.");
        }
    }

    private static void CheckSecurity(JsonNode pod, JsonNode container, List<string> problems)
    {
        var podContext = pod["spec"]?["securityContext"];
        var context = container["securityContext"];
        if (Text(context?["runAsNonRoot"]) != "true" && Text(podContext?["runAsNonRoot"]) != "true")
        {
            problems.Add("runAsNonRoot must be true.");
        }

        if (Text(context?["readOnlyRootFilesystem"]) != "true")
        {
            problems.Add("The container's root file system must be read-only (readOnlyRootFilesystem: true).");
        }

        if (Text(context?["allowPrivilegeEscalation"]) != "false")
        {
            problems.Add("allowPrivilegeEscalation must be false.");
        }

        if (!(context?["capabilities"]?["drop"]?.AsArray() ?? []).Any(c => Text(c) == "ALL"))
        {
            problems.Add("The container must drop ALL capabilities.");
        }
    }

    private static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(p => p.Key, p => Text(p.Value) ?? "", StringComparer.Ordinal) : [];

    private static bool Selects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.GetValueOrDefault(s.Key) == s.Value);
}
