import Foundation
import PackagePlugin

/// Embeds the git revision the package was built from (`SynapseVersion.revision`), read from the
/// files under `.git` rather than by running git, which a plugin's sandbox may not allow. A checkout
/// without `.git` (a source tarball) embeds "unknown".
///
/// The files that name the revision (HEAD, the branch's ref, packed-refs) are the command's inputs,
/// so a commit or a checkout of another branch rebuilds it.
@main
struct EmbedRevision: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedRevision.swift")
        let git = GitDirectory(checkout: context.package.directoryURL)
        return [.buildCommand(
            displayName: "Embedding the git revision",
            executable: try context.tool(named: "EmbedRevisionTool").url,
            arguments: [output.path] + (git.map { [$0.gitDirectory.path, $0.commonDirectory.path] } ?? []),
            inputFiles: git?.revisionFiles ?? [],
            outputFiles: [output])]
    }
}

/// Where a checkout keeps HEAD and its refs: `.git` itself, or for a linked worktree the folder its
/// `.git` file points to (HEAD) and that folder's `commondir` (refs shared by every worktree).
struct GitDirectory {
    let gitDirectory: URL
    let commonDirectory: URL

    init?(checkout: URL) {
        let dotGit = checkout.appendingPathComponent(".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        let git: URL
        if isFolder.boolValue {
            git = dotGit
        } else {
            guard let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") else { return nil }
            let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            git = URL(fileURLWithPath: path, relativeTo: checkout).standardizedFileURL
        }
        let common = (try? String(contentsOf: git.appendingPathComponent("commondir"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        gitDirectory = git
        commonDirectory = common.map { URL(fileURLWithPath: $0, relativeTo: git).standardizedFileURL } ?? git
    }

    /// The files whose change means another revision: HEAD, its reflog (which every commit, checkout
    /// and reset appends to, whichever branch is checked out), and for a branch its loose ref and
    /// packed-refs.
    var revisionFiles: [URL] {
        let head = gitDirectory.appendingPathComponent("HEAD")
        var files = [head, gitDirectory.appendingPathComponent("logs/HEAD")]
        if let text = try? String(contentsOf: head, encoding: .utf8), text.hasPrefix("ref:") {
            let ref = text.dropFirst(4).trimmingCharacters(in: .whitespacesAndNewlines)
            files += [gitDirectory.appendingPathComponent(ref), commonDirectory.appendingPathComponent(ref),
                      commonDirectory.appendingPathComponent("packed-refs")]
        }
        var seen = Set<String>()
        return files.filter { FileManager.default.fileExists(atPath: $0.path) && seen.insert($0.path).inserted }
    }
}
