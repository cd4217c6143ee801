namespace GitOps.Sdk.Manifests;

/// <summary>
/// The name rules the API server applies, per kind. Most kinds need a DNS-1123 subdomain; a few differ:
/// <list type="bullet">
/// <item><c>Namespace</c>: DNS-1123 label (at most 63 characters, no dots).</item>
/// <item><c>Service</c>: DNS-1035 label (a label that starts with a letter).</item>
/// <item>RBAC <c>Role</c>, <c>ClusterRole</c>, <c>RoleBinding</c>, <c>ClusterRoleBinding</c> and
/// <c>CertificateSigningRequest</c>: any path segment name (not <c>.</c> or <c>..</c>, no <c>/</c> or <c>%</c>),
/// so <c>system:controller:job-controller</c> is valid.</item>
/// </list>
/// </summary>
internal static class KubernetesNames
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static string? ValidateName(string group, string kind, string name)
    {
        if (group.Length == 0)
        {
            switch (kind)
            {
                case "Namespace":
                    return DnsLabel(name);
                case "Service":
                    return Dns1035Label(name);
            }
        }
        else if ((string.Equals(group, RbacGroup, StringComparison.Ordinal)
                  && kind is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding")
                 || (string.Equals(group, "certificates.k8s.io", StringComparison.Ordinal) && kind == "CertificateSigningRequest"))
        {
            return PathSegment(name);
        }

        return DnsSubdomain(name);
    }

    public static string? ValidateNamespace(string value) => DnsLabel(value);

    public static string? PathSegment(string name)
    {
        if (name is "." or "..")
        {
            return $"may not be '{name}'";
        }

        return name.AsSpan().IndexOfAny('/', '%') >= 0 ? "may not contain '/' or '%'" : null;
    }

    public static string? DnsSubdomain(string name)
    {
        if (name.Length > 253)
        {
            return "must be no more than 253 characters";
        }

        foreach (var part in name.Split('.'))
        {
            if (!IsLabel(part))
            {
                return "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
            }
        }

        return null;
    }

    public static string? DnsLabel(string name)
    {
        if (name.Length > 63)
        {
            return "must be no more than 63 characters";
        }

        return IsLabel(name) ? null : "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
    }

    public static string? Dns1035Label(string name)
    {
        if (name.Length > 63)
        {
            return "must be no more than 63 characters";
        }

        return IsLabel(name) && char.IsAsciiLetterLower(name[0])
            ? null
            : "must be a lowercase RFC 1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
    }

    private static bool IsLabel(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !IsAlnum(s[0]) || !IsAlnum(s[^1]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsAlnum(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
