using Mono.Cecil;

namespace StreamAnalytics.Tests.Architecture;

/// <summary>
/// Which of the product's units (namespaces, see <see cref="NamespaceOf"/>) use which, read from the compiled assembly: base types, interfaces,
/// fields, properties, events, method signatures, attributes, generic arguments, locals and every type or
/// member an instruction names. An edge A → B keeps one example (the using type and the used type).
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), string> _edges = [];

    private NamespaceGraph(string root) => Root = root;

    public string Root { get; }

    public IReadOnlyDictionary<(string From, string To), string> Edges => _edges;

    public IEnumerable<string> Namespaces => _edges.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct(StringComparer.Ordinal);

    public static NamespaceGraph Read(string assemblyPath, string root)
    {
        var graph = new NamespaceGraph(root);
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            graph.AddType(type);
        }

        return graph;
    }

    public IEnumerable<string> DependenciesOf(string from) =>
        _edges.Keys.Where(k => k.From == from).Select(k => k.To);

    /// <summary>Every cycle's namespaces, as found by a depth-first search (each cycle reported once per entry point).</summary>
    public List<List<string>> Cycles()
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();

        void Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in DependenciesOf(node).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    cycles.Add([.. path[path.IndexOf(next)..], next]);
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
        }

        foreach (var node in Namespaces.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }

        return cycles;
    }

    private void AddType(TypeDefinition type)
    {
        var from = NamespaceOf(type);
        if (from is null)
        {
            return;
        }

        void Use(TypeReference? used)
        {
            foreach (var reference in Expand(used))
            {
                if (NamespaceOf(reference) is { } to && to != from)
                {
                    _edges.TryAdd((from, to), $"{type.FullName} uses {reference.FullName}");
                }
            }
        }

        Use(type.BaseType);
        type.Interfaces.ToList().ForEach(i => Use(i.InterfaceType));
        type.CustomAttributes.ToList().ForEach(a => Use(a.AttributeType));
        type.Fields.ToList().ForEach(f => Use(f.FieldType));
        type.Properties.ToList().ForEach(p => Use(p.PropertyType));
        type.Events.ToList().ForEach(e => Use(e.EventType));
        foreach (var method in type.Methods)
        {
            Use(method.ReturnType);
            method.Parameters.ToList().ForEach(p => Use(p.ParameterType));
            method.CustomAttributes.ToList().ForEach(a => Use(a.AttributeType));
            if (!method.HasBody)
            {
                continue;
            }

            method.Body.Variables.ToList().ForEach(v => Use(v.VariableType));
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Use(t);
                        break;
                    case MemberReference m:
                        Use(m.DeclaringType);
                        if (m is MethodReference mr)
                        {
                            Use(mr.ReturnType);
                            mr.Parameters.ToList().ForEach(p => Use(p.ParameterType));
                            if (mr is GenericInstanceMethod g)
                            {
                                g.GenericArguments.ToList().ForEach(Use);
                            }
                        }
                        else if (m is FieldReference fr)
                        {
                            Use(fr.FieldType);
                        }

                        break;
                }
            }
        }
    }

    private static IEnumerable<TypeReference> Expand(TypeReference? type)
    {
        if (type is null)
        {
            yield break;
        }

        switch (type)
        {
            case GenericInstanceType generic:
                yield return generic.ElementType;
                foreach (var argument in generic.GenericArguments.SelectMany(Expand))
                {
                    yield return argument;
                }

                break;
            case TypeSpecification specification:
                foreach (var element in Expand(specification.ElementType))
                {
                    yield return element;
                }

                break;
            default:
                yield return type;
                break;
        }
    }

    /// <summary>
    /// The unit a type counts under: its top folder below the root (<c>Configuration.Validation</c> is part of
    /// <c>Configuration</c>), except under <c>Heads</c>, where each head's folder is a unit of its own. Nested types
    /// count as their outermost type's; types outside the root (and the root's own) count under none.
    /// </summary>
    private string? NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var ns = type.Namespace;
        if (!ns.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = ns.Split('.');
        var depth = parts.Length > 2 && parts[1] == "Heads" ? 3 : 2;
        return string.Join('.', parts.Take(depth));
    }
}
