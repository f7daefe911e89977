// An Avalon chain as the host reports it, for the report tests (API estats, /metrics, the
// page): an Avalon 8 "AV1" behind an AUC with two modules found, the second one lost.
#pragma once

#include "hashrig/host/report/snapshot.h"

namespace hashrig::host::fixtures {

inline ChainSnapshot AvalonChain() {
  namespace av = hal::protocol::avalon;
  ChainStatus status;
  status.state = ChainState::kMining;
  status.chips = 104;
  status.expected_chips = 104;
  status.avalon = av::Generation::kAvalon8;
  av::ModuleInfo m;
  m.present = true;
  m.configured = true;
  m.id = 1;
  m.dna = {0x02, 0x01, 0x00, 0x00, 0x2c, 0x2a, 0xf6, 0x18};
  const std::string_view version = "851-EXAMPLEVER1";
  std::copy(version.begin(), version.end(), m.version.begin());
  m.asic_count = 104;
  m.local_works = {10, 11, 12, 13};
  m.hw_errors = {0, 1, 0, 2};
  m.miner_error = {0, 0, 4, 0};
  m.temperature = Celsius{41.6};
  m.fan_rpm = {2400, 0};
  m.fan_duty = 50;
  m.module_error = 0;
  m.crc_errors = 3;
  m.voltage_raw = 2345;
  m.power = av::PowerSupply{0x20, Volts{12.5}, Volts{8.8}, Amperes{45.25}, Watts{1398}, Volts{8.7}};
  m.frequencies_mhz = {0, 0, 0, 850};
  m.nonces = 99;
  av::ModuleInfo lost = m;
  lost.present = false;
  lost.id = 2;
  lost.dna = {0x02, 0x01, 0x00, 0x00, 0x2d, 0x2a, 0xf6, 0x3d};
  lost.lost = 1;
  lost.temperature.reset();
  lost.power.reset();
  status.modules = {m, lost};
  status.power = Watts{1398};  // the modules' PSUs: the one present
  status.link = LinkCounters{5, 17, 2};
  return {"AV1", status, 14.0e12, 13.5e12, 20, 0, 1024};
}

}  // namespace hashrig::host::fixtures
