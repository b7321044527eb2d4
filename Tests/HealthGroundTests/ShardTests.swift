import HealthGround
import Testing

@Suite struct ShardTests {
    @Test("shards split the spaces into disjoint shares that cover them all, the same on every machine")
    func shardsPartitionSpaces() {
        let ids = (0..<200).map { "person-\($0)" }
        for count in [1, 2, 3, 7] {
            let shares = (0..<count).map { GroundingEngine.shard(ids, index: $0, count: count) }
            #expect(shares.reduce(0) { $0 + $1.count } == ids.count)
            #expect(Set(shares.flatMap(\.self)) == Set(ids))
            #expect(shares.allSatisfy { !$0.isEmpty })
            // Order and other ids do not change a space's shard.
            let shuffled = GroundingEngine.shard(ids.reversed() + ["extra"], index: 0, count: count)
            #expect(Set(shuffled.filter { $0 != "extra" }) == Set(shares[0]))
        }
    }
}
