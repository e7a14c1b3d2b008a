// Faithful copies on a file system that keeps everything (the test machine's own disc):
// hard links, sparse files, ACLs, extended attributes and numeric owners are kept, a change of
// only an ACL or attribute is a modification, and the second run has nothing to do.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Faithful copies: hard links, sparse files, ACLs, xattrs, owners")
struct FaithfulCopyTests {
    func statOf(_ box: Sandbox, _ relative: String) -> stat? {
        var info = stat()
        return lstat(box.path(relative), &info) == 0 ? info : nil
    }

    func attribute(_ box: Sandbox, _ relative: String) throws -> String {
        try box.shell("getfattr --only-values -n user.note " + relative + " 2>/dev/null").stdout
    }

    func acl(_ box: Sandbox, _ relative: String) throws -> String {
        try box.shell("getfacl -c --omit-header " + relative + " 2>/dev/null | grep '^user:[^:]'").stdout
    }

    /// The everyday tree of the issue: a link, a hard-linked pair, a 64 MiB sparse disc image, a
    /// file with an attribute and an ACL, a file of mode 600 and, when `owners`, another owner
    /// (by number). The drive tests use it too.
    static func everydayTree(_ box: Sandbox, owners: Bool = true) throws {
        try box.write("work/docs/notes.txt", "notes\n")
        try box.write("work/docs/pair-a.txt", "pair\n")
        try box.write("work/docs/secret.txt", "secret\n", mode: 0o600)
        try box.link("work/docs/link", to: "notes.txt")
        let setup = try box.shell("""
            set -e
            ln work/docs/pair-a.txt work/docs/pair-b.txt
            truncate -s 64M work/docs/disc.img && printf 'boot' | dd of=work/docs/disc.img conv=notrunc status=none
            setfattr -n user.note -v hello work/docs/notes.txt
            setfacl -m u:4321:r work/docs/notes.txt
            """ + (owners ? "\nchown 1234:2345 work/docs/secret.txt" : ""))
        #expect(setup.status == 0, "\(setup)")
    }

    func everydayTree(_ box: Sandbox) throws { try Self.everydayTree(box) }

    @Test("a first copy keeps hard links, sparseness, ACLs, xattrs and numeric owners; the second run has nothing to do")
    func firstCopyIsFaithful() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try everydayTree(box)
        let first = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(first.status == 0, "\(first)")
        let a = statOf(box, "b1/docs/pair-a.txt"), b = statOf(box, "b1/docs/pair-b.txt")
        #expect(a != nil && a?.st_ino == b?.st_ino && a?.st_nlink == 2, "the hard link is kept")
        #expect((statOf(box, "b1/docs/disc.img")?.st_blocks ?? .max) < 1024, "the 64 MiB image stays sparse")
        #expect(statOf(box, "b1/docs/disc.img")?.st_size == 64 << 20)
        #expect(try attribute(box, "b1/docs/notes.txt") == "hello")
        #expect(try acl(box, "b1/docs/notes.txt").contains("user:4321:r--"))
        #expect(statOf(box, "b1/docs/secret.txt").map { ($0.st_uid, $0.st_gid, $0.st_mode & 0o777) } ?? (0, 0, 0) == (1234, 2345, 0o600))
        #expect(box.snapshot("b1/docs") == box.snapshot("work/docs"))
        let second = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(second.status == 0 && second.stdout.contains("Nothing to do"), "\(second)")
    }

    @Test("a change of only an extended attribute or an ACL is listed as modified, asked about, and applied")
    func attributeChangesAreModifications() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try everydayTree(box)
        _ = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(try box.shell("setfattr -n user.note -v changed work/docs/notes.txt && setfacl -m u:4321:rw work/docs/secret.txt").status == 0)
        let declined = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(declined.status == 0 && Set(declined.listed("Modified")) == ["docs/notes.txt", "docs/secret.txt"], "\(declined)")
        #expect(try attribute(box, "b1/docs/notes.txt") == "hello", "declined: the old value stays")
        let accepted = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(accepted.status == 0, "\(accepted)")
        #expect(try attribute(box, "b1/docs/notes.txt") == "changed")
        #expect(try acl(box, "b1/docs/secret.txt").contains("user:4321:rw-"))
        let again = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(again.stdout.contains("Nothing to do"), "\(again)")
    }

    @Test("\"acls_xattrs\": false copies neither, and an unchanged tree is still in step")
    func theKeyTurnsThemOff() throws {
        let box = try Sandbox()
        try box.folder("work")
        try box.folder("b1")
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"acls_xattrs":false}]}"#)
        try everydayTree(box)
        let first = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(first.status == 0, "\(first)")
        #expect(try attribute(box, "b1/docs/notes.txt") == "")
        #expect(try acl(box, "b1/docs/notes.txt") == "")
        let a = statOf(box, "b1/docs/pair-a.txt"), b = statOf(box, "b1/docs/pair-b.txt")
        #expect(a?.st_ino == b?.st_ino, "hard links are still kept")
        let second = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(second.stdout.contains("Nothing to do"), "\(second)")
    }

    @Test("a hard link made to a file the BACKUP already has is made there too; one the PATHs only half contain is a file")
    func hardLinksLaterAndHalfContained() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        try box.write("work/docs/sub/x.txt", "x\n")
        _ = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(try box.shell("ln work/docs/a.txt work/docs/b.txt && ln work/docs/a.txt work/docs/sub/y.txt").status == 0)
        // Only sub/ is copied: y.txt's other names are outside it, so it arrives as a file.
        let half = try box.run(["--config", "cfg.json", "--backup", "work/docs/sub"])
        #expect(half.status == 0 && half.listed("New") == ["docs/sub/y.txt"], "\(half)")
        #expect(statOf(box, "b1/docs/sub/y.txt")?.st_nlink == 1)
        let whole = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(whole.status == 0, "\(whole)")
        let a = statOf(box, "b1/docs/a.txt"), b = statOf(box, "b1/docs/b.txt"), y = statOf(box, "b1/docs/sub/y.txt")
        #expect(a?.st_ino == b?.st_ino && a?.st_ino == y?.st_ino && a?.st_nlink == 3, "\(whole)")
        #expect(box.snapshot("b1/docs") == box.snapshot("work/docs"))
        let again = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(again.stdout.contains("Nothing to do"), "\(again)")
    }
}
