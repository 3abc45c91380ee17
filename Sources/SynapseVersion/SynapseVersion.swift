/// Which Synapse this is: the release number and the git commit it was built from.
public enum SynapseVersion {
    /// The release, as in CHANGELOG.md.
    public static let number = "0.1.0"

    /// The full commit hash the build came from, embedded at build time from `.git` (the
    /// `EmbedRevision` plugin); "unknown" for a build from a tree without `.git`, such as a tarball.
    public static let revision = embeddedRevision

    /// The revision shortened as `git log --oneline` shows it (7 characters), or "unknown".
    public static var shortRevision: String {
        revision == "unknown" ? revision : String(revision.prefix(7))
    }

    /// `0.1.0 (rev 1a2b3c4)`: what `synapse --version` prints.
    public static var description: String { "\(number) (rev \(shortRevision))" }
}
