//! Rate policies (spec §3.9, errata 13; issue 14): the policy table (MIB 0x1016) goes out
//! before the first data frame that names it, every TX request names an uploaded policy and
//! its first rate, data waits for the upload's confirm, and a Reset makes the engine upload
//! again.

mod common;
use bes2600_engine::txpolicy::{TxRate, TxRates};
use bes2600_engine::{Host, Policy};
use bes2600_wire::list::Record;
use bes2600_wire::wsm::rate::RatePolicy;
use common::*;

const WRITE_MIB: u16 = 0x0006;
const TX: u16 = 0x0004;

fn msg_id(m: &[u8]) -> u16 {
    u16::from_le_bytes([m[2], m[3]]) & 0x0C3F
}

/// (policies in the upload) of every MIB 0x1016 write, in bus order with the TX requests
/// as `None`.
fn bus_order(rig: &Rig) -> Vec<Option<Vec<RatePolicy>>> {
    rig.chip
        .writes
        .iter()
        .flat_map(|w| w.msgs.iter())
        .filter_map(|m| match msg_id(m) {
            WRITE_MIB if u16::from_le_bytes([m[4], m[5]]) == 0x1016 => {
                let n = usize::from(m[8]);
                let pol = (0..n)
                    .map(|i| RatePolicy::parse(&m[12 + 20 * i..]).unwrap())
                    .collect();
                Some(Some(pol))
            }
            TX => Some(None),
            _ => None,
        })
        .collect()
}

#[test]
fn issue_14_policy_is_uploaded_before_the_first_frame_that_names_it() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.host.queue_tx(100, 1);
    rig.host.queue_tx(100, 2);
    rig.settle(50);
    let order = bus_order(&rig);
    assert!(order.len() >= 3, "{order:?}");
    let up = order[0].as_ref().expect("the upload goes first");
    assert_eq!(up.len(), 1);
    assert!(
        order[1..].iter().all(Option::is_none),
        "one upload serves both"
    );
    // The mock host names no usable rate (0xEE): 1 Mb/s with 15 tries (a nibble's max).
    assert_eq!(up[0].tries.tries(0), 15);
    assert_eq!(
        (up[0].short_retry, up[0].long_retry, up[0].flags),
        (31, 31, 0x0C)
    );
    for m in rig.chip.data_msgs() {
        assert_eq!(
            (m[11] >> 4) & 7,
            up[0].index,
            "flags name the uploaded policy"
        );
        assert_eq!(m[8], 0, "maxTxRate is the policy's first rate");
    }
    let s = rig.snap();
    assert_eq!((s.tx_policy_uploads, s.tx_policies_uploaded), (1, 1));
    assert_eq!(rig.host.tx_status.len(), 2);
}

#[test]
fn data_waits_for_the_upload_confirm() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.chip.auto_confirm = false;
    rig.host.queue_tx(100, 1);
    for _ in 0..5 {
        rig.step();
    }
    // Only the upload went out; the frame waits while it is unconfirmed.
    assert_eq!(rig.chip.data_msgs().len(), 0);
    assert_eq!(rig.chip.writes.len(), 1);
    let up = rig.chip.writes[0].msgs[0].clone();
    assert_eq!(msg_id(&up), WRITE_MIB);
    let cnf = rig.chip.confirm(WRITE_MIB, 0);
    rig.chip.push_burst(&[cnf]);
    rig.chip.auto_confirm = true;
    rig.settle(20);
    assert_eq!(rig.chip.data_msgs().len(), 1);
}

/// A frame, a Reset sent by `reset`, another frame: the policy must be uploaded twice
/// (the firmware forgets its table at Reset, spec §3.3, T) and both frames confirmed.
fn frame_reset_frame(reset: impl FnOnce(&mut Rig)) {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.host.queue_tx(100, 1);
    rig.settle(50);
    reset(&mut rig);
    rig.settle(20);
    rig.host.queue_tx(100, 2);
    rig.settle(50);
    let ups = bus_order(&rig).iter().filter(|o| o.is_some()).count();
    assert_eq!(ups, 2, "the frame after a Reset re-uploads its policy");
    assert_eq!(rig.host.tx_status.len(), 2);
}

#[test]
fn reset_makes_the_engine_upload_again() {
    frame_reset_frame(|rig| {
        rig.engine
            .submit(0x000A, 0, 7, &0u32.to_le_bytes())
            .unwrap()
    });
}

#[test]
fn a_typed_reset_makes_the_engine_upload_again() {
    // The module resets with `Engine::reset`, not the raw `submit`: both must forget.
    frame_reset_frame(|rig| rig.engine.reset(0, 7, false).unwrap());
}

/// A host that gives mac80211-style rates: MCS 7 x 3, MCS 5 x 2 (HT adds 1 Mb/s).
struct RatedHost(MockHost);

impl Host for RatedHost {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.0.next_tx(buf)
    }
    fn next_tx_rated(&mut self, buf: &mut [u8], rates: &mut TxRates) -> Option<usize> {
        rates.push(TxRate { hw: 21, count: 3 });
        rates.push(TxRate { hw: 19, count: 2 });
        self.0.next_tx(buf)
    }
    fn tx_pending(&mut self) -> bool {
        self.0.tx_pending()
    }
    fn rx_batch(&mut self, b: &bes2600_engine::RxBatch<'_>) {
        self.0.rx_batch(b)
    }
    fn tx_status(&mut self, s: &bes2600_engine::TxStatus) {
        self.0.tx_status(s)
    }
    fn cmd_done(&mut self, d: &bes2600_engine::CmdDone<'_>) {
        self.0.cmd_done(d)
    }
    fn scan_complete(&mut self, i: u8, s: u32) {
        self.0.scan_complete(i, s)
    }
    fn event(&mut self, e: &bes2600_engine::ConnEvent) {
        self.0.event(e)
    }
    fn recovery(&mut self, r: &bes2600_engine::RecoveryRequest) {
        self.0.recovery(r)
    }
}

#[test]
fn host_rates_become_the_policy_and_max_rate() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let mut host = RatedHost(MockHost::default());
    host.0.queue_tx(100, 1);
    for _ in 0..20 {
        if rig.chip.has_rx() {
            rig.chip.irq_enabled = false;
            rig.engine.on_irq();
        }
        rig.engine.run(&mut rig.chip, &mut host, rig.now);
    }
    let order = bus_order(&rig);
    let up = order[0].as_ref().unwrap();
    assert_eq!(
        (
            up[0].tries.tries(21),
            up[0].tries.tries(19),
            up[0].tries.tries(0)
        ),
        (3, 2, 1)
    );
    let data = rig.chip.data_msgs();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0][8], 21, "maxTxRate = MCS 7");
}
