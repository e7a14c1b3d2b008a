import Foundation
import Testing
@testable import MicsyncKit

/// rsync's `--info=progress2` updates and the live line drawn from them.
@Suite("ProgressLine")
struct ProgressLineTests {
    @Test func aMidFileUpdateGivesBytesPercentSpeedAndTimeLeft() throws {
        let line = try #require(ProgressLine.parse("         32,768   0%    0.00kB/s    0:00:00  "))
        #expect(line == ProgressLine(bytes: 32768, percent: 0, speed: "0.00kB/s", time: "0:00:00"))
        let later = try #require(ProgressLine.parse("    123,456,789  45%   12.34MB/s    0:00:03  "))
        #expect(later == ProgressLine(bytes: 123_456_789, percent: 45, speed: "12.34MB/s", time: "0:00:03"))
    }

    @Test func theUpdateEndingAFileIsMarked() throws {
        let line = try #require(ProgressLine.parse("     50,000,000  99%  445.35MB/s    0:00:00 (xfr#1, to-chk=3/5)"))
        #expect(line.bytes == 50_000_000 && line.percent == 99 && line.speed == "445.35MB/s" && line.endsFile)
        let last = try #require(ProgressLine.parse("         13,893 100%   22.76kB/s    0:00:00 (xfr#3000, to-chk=0/3001)"))
        #expect(last.percent == 100 && last.bytes == 13893)
        let recursing = try #require(ProgressLine.parse("      1,234,567  12%    1.00MB/s    0:01:02 (xfr#7, ir-chk=1000/1200)"))
        #expect(recursing.endsFile && recursing.time == "0:01:02")
    }

    @Test func otherLinesAreNotProgress() {
        for text in [">f+++++++++ 3 d/f", "cd+++++++++ 4096 ./", "created directory /tmp/x", "", "   ",
                     "sending incremental file list", "12 files 30% x y", "1,000 101% 1.00kB/s 0:00:00"] {
            #expect(ProgressLine.parse(text) == nil, "\(text)")
        }
    }

    @Test func formatShowsPercentBytesOfTotalSpeedTimeLeftAndFile() {
        let line = ProgressLine(bytes: 1_200_000, percent: 45, speed: "12.34MB/s", time: "0:00:03")
        #expect(line.formatted(file: "docs/big.bin", width: 200) == "45%  1.2 MB of 2.7 MB  12.34 MB/s  0:00:03 left  docs/big.bin")
        let start = ProgressLine(bytes: 3, percent: 0, speed: "0.00kB/s", time: "0:00:00")
        #expect(start.formatted(file: "", width: 80) == "0%  3 B  0.00 kB/s  0:00:00 left")
        let ended = ProgressLine(bytes: 300_000_000, percent: 100, speed: "291.94MB/s", time: "0:00:01", endsFile: true)
        #expect(ended.formatted(file: "a", width: 80) == "100%  300.0 MB of 300.0 MB  291.94 MB/s  a")
    }

    @Test func formatIsCutToTheTerminalWidth() {
        let line = ProgressLine(bytes: 1_200_000, percent: 45, speed: "12.34MB/s", time: "0:00:03")
        let text = line.formatted(file: String(repeating: "é", count: 200), width: 80)
        #expect(text.count == 79 && text.hasSuffix("…") && text.hasPrefix("45%  1.2 MB of 2.7 MB"))
        #expect(line.formatted(file: "f", width: 10).count == 9)
    }

    @Test func sizesAreDecimalWithOneDecimal() {
        #expect(ProgressLine.size(0) == "0 B")
        #expect(ProgressLine.size(999) == "999 B")
        #expect(ProgressLine.size(1000) == "1.0 kB")
        #expect(ProgressLine.size(2_700_000) == "2.7 MB")
        #expect(ProgressLine.size(999_999_999) == "1.0 GB")
        #expect(ProgressLine.size(5_000_000_000_000) == "5.0 TB")
    }
}
