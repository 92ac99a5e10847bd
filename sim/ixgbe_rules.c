/* The rules the virtual 82599 checks: one entry per rule, indexed by enum ixgbe_rule
 * (ixgbe_model.h), with the datasheet section (82599 DS Rev 3.3) it comes from. Errata (E1..E13)
 * are explained in docs/82599.md. */
#include "ixgbe_model.h"

const struct rule_def ixgbe_rules[IXGBE_NRULES] = {
    [IXGBE_V1_WRITE_IN_RESET] = {"V1", "DS 8.2.3.1.1", "register written while CTRL.RST/LRST is in progress"},
    [IXGBE_V2_BASE_ALIGN] = {"V2", "DS 8.2.3.8.1, 8.2.3.9.5", "RDBAL/TDBAL not 128-byte aligned"},
    [IXGBE_V3_RING_LEN] = {"V3", "DS 8.2.3.8.3, 7.2.3.3, 8.2.3.9.7",
                           "RDLEN/TDLEN not a multiple of 128; 0 or more than 8192 descriptors at enable"},
    [IXGBE_V4_RING_REG_ENABLED] = {"V4", "DS 4.6.7, 4.6.8",
                                   "ring register (RDBAL/H, RDLEN, SRRCTL, TDBAL/H, TDLEN) written while "
                                   "the queue is enabled"},
    [IXGBE_V5_HEAD_WRITE] = {"V5", "DS 4.6.7, 8.2.3.8.4, 7.2.3.3",
                             "RDH/TDH written non-zero while enabled, or beyond a ring of known length "
                             "(write ignored)"},
    [IXGBE_V6_TAIL_RANGE] = {"V6", "DS 7.1.9, 7.2.3.3", "RDT/TDT beyond the ring (write ignored)"},
    [IXGBE_V7_TAIL_BEFORE_ENABLE] = {"V7", "DS 4.6.7, 4.6.8",
                                     "RDT/TDT moved before RXDCTL/TXDCTL.ENABLE was read back as 1"},
    [IXGBE_V8_ENABLE_UNPROGRAMMED] = {"V8", "DS 4.6.7, 4.6.8",
                                      "queue enabled before its ring (base and length) was programmed"},
    [IXGBE_V9_RING_DMA] = {"V9", "DS 7.1.9, 7.2.3.3", "descriptor ring not inside one registered DMA region"},
    [IXGBE_V10_SRRCTL] =
        {"V10", "DS 8.2.3.8.7, 7.1.10",
         "SRRCTL.BSIZEPACKET not 1..16, or DESCTYPE header split (erratum E8, docs/82599.md) or "
         "another type the model does not support"},
    [IXGBE_V11_RX_BUF_SIZE] = {"V11", "DS 8.2.3.8.7",
                               "a posted Rx buffer of SRRCTL.BSIZEPACKET KB does not fit in its DMA region "
                               "(checked once per posted buffer)"},
    [IXGBE_V12_DMA_FAULT] = {"V12", "DS 7.1.9, 7.2.3.5.2",
                             "DMA fault: a buffer, descriptor or head write-back address outside any "
                             "registered region (a virtual address posted in a descriptor lands here)"},
    [IXGBE_V13_DCA_BIT12] =
        {"V13", "DS 8.2.3.11.1",
         "DCA_RXCTRL(n) bit 12 still 1 when the queue receives (erratum E2, docs/82599.md)"},
    [IXGBE_V14_CRC_STRIP] = {"V14", "DS 4.6.7",
                             "HLREG0.RXCRCSTRP differs from RDRXCTL.CRCSTRIP when Rx is enabled or "
                             "receives (erratum E6, docs/82599.md)"},
    [IXGBE_V15_RDRXCTL_RSC] = {"V15", "DS 8.2.3.8.8",
                               "RDRXCTL RSC defaults not fixed at RXEN: RSCFRSTSIZE must be 0, RSCACKC and "
                               "FCOE_WRFIX 1 (erratum E5, docs/82599.md)"},
    [IXGBE_V16_SECRX] = {"V16", "DS 4.6.7",
                         "RXCTRL.RXEN set without SECRXCTRL.RX_DIS set and SECRXSTAT.SECRX_RDY read as 1 "
                         "(erratum E1, docs/82599.md; only with cfg.check_secrx)"},
    [IXGBE_V17_TE_FIRST] = {"V17", "DS 4.6.8", "TXDCTL.ENABLE set while DMATXCTL.TE is 0"},
    [IXGBE_V18_TX_DESC] = {"V18", "DS 7.2.3.2.4, 7.2.3.4.1, 7.2.3.2.2",
                           "Tx descriptor neither advanced data, context nor legacy; PAYLEN differs from "
                           "the sum of DTALEN; DTALEN 0; frame under 14 bytes or over 16 KB; more than "
                           "40 - WTHRESH descriptors per frame"},
    [IXGBE_V19_INIT_DONE] = {"V19", "DS 4.6.3", "queue enabled before RDRXCTL.DMAIDONE and EEC.ARD read 1"},
    [IXGBE_V20_TAIL_ARBDIS] = {"V20", "DS 4.6.8, 7.2.1.2.1", "TDT moved while RTTDCS.ARBDIS is 1"},
    [IXGBE_V21_TAIL_OWNED] = {"V21", "DS 7.1.9, 7.2.3.3",
                              "RDT/TDT write on a running queue that takes back descriptors the hardware "
                              "owns: the tail may advance by d = (new - old) mod N only with "
                              "d <= (head - old - 1) mod N; the write still takes effect"},
    [IXGBE_V22_RESET_PENDING] =
        {"V22", "DS 5.2.5.3.2",
         "CTRL.RST/LRST written while STATUS.19 shows PCIe transactions pending "
         "and DMA can be in flight (a queue enabled, or a master disable started "
         "and not finished): master-disable and flush first (erratum E10, docs/82599.md)"},
    [IXGBE_V23_SWFW_NO_SWESMBI] = {"V23", "DS 4.6.4", "SW_FW_SYNC written while SWSM.SWESMBI is not held"},
    [IXGBE_V24_SWFW_FW_OWNED] = {"V24", "DS 4.6.4",
                                 "SW_FW_SYNC software bit set while its firmware bit (bit + 5) is set"},
    [IXGBE_V25_AUTOC_LESM] = {"V25", "DS 4.6.4",
                              "AUTOC written while software does not hold SW_FW_SYNC.MAC_CSR and LESM "
                              "firmware runs (erratum E12, docs/82599.md; only with cfg.lesm_firmware)"},
    [IXGBE_V26_RESET_QUEUE_ENABLED] = {"V26", "DS 4.6.7.1, 4.6.8.1, 5.2.5.3.2",
                                       "CTRL.RST/LRST written while an Rx or Tx queue still reads "
                                       "RXDCTL/TXDCTL.ENABLE = 1: disable every queue and wait until it "
                                       "reads disabled, then master-disable, then reset"},
};
