// SPDX-License-Identifier: GPL-2.0-only
//! Startup indication 0x0801 (spec §3.1, §3.6).

use super::Message;
use crate::{Error, Result};

/// ID of the startup indication.
pub const STARTUP_IND: u16 = 0x0801;

/// Length of the firmware label (spec §3.6: `label[128]`).
pub const LABEL_LEN: usize = 128;

view! {
    /// View of a startup indication body (spec §3.6, offsets after the WSM header).
    pub struct StartupIndView;
    min_len = 20 + LABEL_LEN;
    /// Firmware input buffers (TX credits, spec §4.3).
    num_inp_ch_bufs / set_num_inp_ch_bufs: u16 = 0;
    /// Size of one input buffer.
    size_inp_ch_buf / set_size_inp_ch_buf: u16 = 2;
    /// Hardware id.
    hw_id / set_hw_id: u16 = 4;
    /// Hardware sub-id.
    hw_sub_id / set_hw_sub_id: u16 = 6;
    /// Status (must be 0).
    status / set_status: u16 = 8;
    /// Firmware capabilities.
    fw_cap / set_fw_cap: u16 = 10;
    /// Firmware type (see [`FwType`]).
    fw_type / set_fw_type: u16 = 12;
    /// Firmware API version.
    fw_api_ver / set_fw_api_ver: u16 = 14;
    /// Firmware build number.
    fw_build / set_fw_build: u16 = 16;
    /// Firmware version.
    fw_version / set_fw_version: u16 = 18;
    /// Label, NUL padded.
    label / set_label: [u8; LABEL_LEN] = 20;
}

enum_with_unknown! {
    /// Firmware type in the startup indication; values above 4 are rejected (spec §3.6).
    pub enum FwType(u16) {
        /// ETF.
        Etf = 0,
        /// WFM.
        Wfm = 1,
        /// WSM.
        Wsm = 2,
        /// HI test.
        HiTest = 3,
        /// Platform test.
        PlatformTest = 4,
    }
}

/// Startup indication 0x0801 (spec §3.6). `parse` refuses a non-zero status or a firmware
/// type above 4, as the C driver does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StartupInd {
    /// Firmware input buffers (TX credits).
    pub num_inp_ch_bufs: u16,
    /// Size of one input buffer in bytes.
    pub size_inp_ch_buf: u16,
    /// Hardware id.
    pub hw_id: u16,
    /// Hardware sub-id.
    pub hw_sub_id: u16,
    /// Firmware capabilities.
    pub fw_cap: u16,
    /// Firmware type.
    pub fw_type: FwType,
    /// Firmware API version.
    pub fw_api_ver: u16,
    /// Firmware build number.
    pub fw_build: u16,
    /// Firmware version.
    pub fw_version: u16,
    /// Label, NUL padded.
    pub label: [u8; LABEL_LEN],
}

impl StartupInd {
    /// The label up to its first NUL.
    pub fn label_bytes(&self) -> &[u8] {
        let end = self.label.iter().position(|&b| b == 0).unwrap_or(LABEL_LEN);
        &self.label[..end]
    }
}

impl<'a> Message<'a> for StartupInd {
    const ID: u16 = STARTUP_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = StartupIndView::new_checked(body)?;
        if v.status() != 0 {
            return Err(Error::BadValue);
        }
        let fw_type = FwType::from(v.fw_type());
        if matches!(fw_type, FwType::Unknown(_)) {
            return Err(Error::BadValue);
        }
        Ok(StartupInd {
            num_inp_ch_bufs: v.num_inp_ch_bufs(),
            size_inp_ch_buf: v.size_inp_ch_buf(),
            hw_id: v.hw_id(),
            hw_sub_id: v.hw_sub_id(),
            fw_cap: v.fw_cap(),
            fw_type,
            fw_api_ver: v.fw_api_ver(),
            fw_build: v.fw_build(),
            fw_version: v.fw_version(),
            label: v.label(),
        })
    }

    fn buffer_len(&self) -> usize {
        StartupIndView::<&[u8]>::FIXED_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = StartupIndView::new_unchecked(body);
        v.set_num_inp_ch_bufs(self.num_inp_ch_bufs);
        v.set_size_inp_ch_buf(self.size_inp_ch_buf);
        v.set_hw_id(self.hw_id);
        v.set_hw_sub_id(self.hw_sub_id);
        v.set_status(0);
        v.set_fw_cap(self.fw_cap);
        v.set_fw_type(self.fw_type.into());
        v.set_fw_api_ver(self.fw_api_ver);
        v.set_fw_build(self.fw_build);
        v.set_fw_version(self.fw_version);
        v.set_label(self.label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    fn golden() -> [u8; 148] {
        let mut b = [0u8; 148];
        b[..20].copy_from_slice(&[
            0x1E, 0x00, // numInpChBufs 30
            0x40, 0x06, // sizeInpChBuf 1600
            0x02, 0x20, // hwId 0x2002
            0x01, 0x00, // hwSubId 1
            0x00, 0x00, // status 0
            0x34, 0x12, // fwCap 0x1234
            0x02, 0x00, // fwType WSM
            0x05, 0x00, // fwApiVer 5
            0x07, 0x00, // fwBuild 7
            0x09, 0x00, // fwVersion 9
        ]);
        b[20..23].copy_from_slice(b"sim");
        b
    }

    fn repr() -> StartupInd {
        let mut label = [0u8; LABEL_LEN];
        label[..3].copy_from_slice(b"sim");
        StartupInd {
            num_inp_ch_bufs: 30,
            size_inp_ch_buf: 1600,
            hw_id: 0x2002,
            hw_sub_id: 1,
            fw_cap: 0x1234,
            fw_type: FwType::Wsm,
            fw_api_ver: 5,
            fw_build: 7,
            fw_version: 9,
            label,
        }
    }

    #[test]
    fn deconstruct() {
        let g = golden();
        let v = StartupIndView::new_checked(&g[..]).unwrap();
        assert_eq!(v.num_inp_ch_bufs(), 30);
        assert_eq!(v.size_inp_ch_buf(), 1600);
        assert_eq!(v.hw_id(), 0x2002);
        assert_eq!(v.fw_type(), 2);
        assert_eq!(&v.label()[..4], b"sim\0");
    }

    #[test]
    fn construct_parse_emit_truncate() {
        let g = golden();
        check_golden(&repr(), &g, 148);
        assert_eq!(repr().label_bytes(), b"sim");
    }

    #[test]
    fn refuses_status_and_type() {
        let mut g = golden();
        g[8] = 1;
        assert_eq!(StartupInd::parse(&g), Err(Error::BadValue));
        let mut g = golden();
        g[12] = 5;
        assert_eq!(StartupInd::parse(&g), Err(Error::BadValue));
    }
}
