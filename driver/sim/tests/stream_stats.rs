//! The stream checker classifies loss, duplication and reordering by sequence number.

use bes2600_sim::harness::StreamStats;

#[test]
fn classifies_loss_duplicates_and_reordering() {
    let mut s = StreamStats::default();
    for q in [0, 1, 2, 5, 3, 3, 6] {
        s.record(q, 100);
    }
    assert_eq!(s.received, 7);
    assert_eq!(s.unique, 6);
    assert_eq!(s.in_order, 4);
    assert_eq!(s.reordered, 1);
    assert_eq!(s.duplicates, 1);
    assert_eq!(s.lost(), 1);
}
