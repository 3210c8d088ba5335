"""Faults injected in the virtual card (issue 14): each must reach the bus (the card's own
counter moved) and the driver must recover (the downlink flows again); removal must tear the
driver down and the re-inserted card be probed again. Warnings, leaks and contract
violations over the whole run, these faults included, are 99_final's checks."""

# Every fault of issue 14 item 1, by the name 65-faults.sh records it under.
FAULTS = ("crc", "timeout", "card_hang", "lost_irq", "corrupt_length", "reset_failure",
          "removal")


def judge(res, ctx):
    faults = res.get("faults") or {}
    f = {"faults_ready": res.get("faults_ready"), "faults": faults}
    checks = [("faults_ready", f["faults_ready"] is True)]
    for name in FAULTS:
        r = faults.get(name) or {}
        checks.append((f"{name}_injected", r.get("injected") is True))
        checks.append((f"{name}_recovered", r.get("recovered") is True))
    crc = faults.get("crc") or {}
    # A data CRC error is retried on the bus, not a reason to reset the chip.
    checks.append(("crc_retried_on_bus", (crc.get("bus_crc_retries") or 0) >= 1))
    lost = faults.get("lost_irq") or {}
    # A 1 s quiet interrupt line is shorter than the driver's 3 s watchdog: no reset.
    checks.append(("lost_irq_no_reset", lost.get("driver_recoveries") == 0))
    hang = faults.get("card_hang") or {}
    # A hung card answers nothing until it is powered again: the driver's reset did that.
    checks.append(("card_hang_power_cycled", (hang.get("power_ups") or 0) >= 1))
    removal = faults.get("removal") or {}
    checks.append(("removal_reinserted", removal.get("reinserted") is True))
    # An empty slot powers nothing, whatever the driver's teardown asks of the host.
    checks.append(("removal_slot_unpowered", removal.get("power_ups_while_removed") == 0))
    return f, checks
