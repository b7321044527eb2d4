import Foundation
import TestSupport
import Testing
import TextEmbedding

@Suite(.enabled(if: SharedData.modelIsAvailable, "needs models/ (scripts/setup.sh)"))
struct WordPieceTokenizerTests {
    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(vocabulary: SharedData.modelDirectory.appendingPathComponent("vocab.txt"))
    }

    @Test("every sequence is [CLS] … [SEP]; the empty text is just the two")
    func specialsWrapEverySequence() {
        #expect(tokenizer.tokenIDs(for: "") == [tokenizer.classifierID, tokenizer.separatorID])
        #expect(tokenizer.tokenIDs(for: " \t\n ") == [tokenizer.classifierID, tokenizer.separatorID])
        let ids = tokenizer.tokenIDs(for: "blood pressure")
        #expect(ids.first == tokenizer.classifierID)
        #expect(ids.last == tokenizer.separatorID)
        #expect(ids.count == 4)
    }

    @Test("case, accents, control characters and white space kinds do not change the ids")
    func normalization() {
        let plain = tokenizer.tokenIDs(for: "cafe resume naive")
        #expect(tokenizer.tokenIDs(for: "CAFÉ Résumé naïve") == plain)
        #expect(tokenizer.tokenIDs(for: "cafe\u{0000} res\u{200B}ume\u{FFFD}\u{00A0}naive") == plain)
        #expect(tokenizer.tokenIDs(for: "cafe\u{3000}resume\r\nnaive") == plain)
    }

    @Test("punctuation is split off and each CJK ideograph is its own word")
    func punctuationAndCJK() {
        #expect(tokenizer.tokenIDs(for: "LDL-C") == tokenizer.tokenIDs(for: "ldl - c"))
        #expect(tokenizer.tokenIDs(for: "a1c:7.2%") == tokenizer.tokenIDs(for: "a1c : 7 . 2 %"))
        #expect(tokenizer.tokenIDs(for: "東京") == tokenizer.tokenIDs(for: "東 京"))
        #expect(tokenizer.tokenIDs(for: "東京").count == 4)
    }

    @Test("a word of more than 100 characters is [UNK]; one of 100 is spelled in pieces")
    func longWordsAreUnknown() {
        let tooLong = tokenizer.tokenIDs(for: String(repeating: "a", count: 101))
        #expect(tooLong == [tokenizer.classifierID, tokenizer.unknownID, tokenizer.separatorID])
        let longest = tokenizer.tokenIDs(for: String(repeating: "a", count: 100))
        #expect(longest.count > 3)
        #expect(!longest.contains(tokenizer.unknownID))
    }

    @Test("continuation pieces are found greedily, and words the vocabulary cannot spell are [UNK]")
    func wordPieces() {
        let ids = tokenizer.tokenIDs(for: "hypercholesterolemia")
        #expect(ids.count > 3)
        #expect(!ids.contains(tokenizer.unknownID))
        #expect(tokenizer.tokenIDs(for: "😀") == [tokenizer.classifierID, tokenizer.unknownID, tokenizer.separatorID])
    }

    @Test("long texts are cut to 256 ids, [SEP] last", arguments: [255, 256, 257, 600])
    func truncation(words: Int) {
        let ids = tokenizer.tokenIDs(for: Array(repeating: "pain", count: words).joined(separator: " "))
        #expect(ids.count == min(words + 2, 256))
        #expect(ids.last == tokenizer.separatorID)
        #expect(ids.filter { $0 == tokenizer.separatorID }.count == 1)
    }
}
