// The Git tests start git daemon, git http-backend and sshd: they run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
