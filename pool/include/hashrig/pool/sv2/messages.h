// The Stratum V2 messages a mining device and a pool exchange (sv2-spec 3.6 Common
// Protocol, 5.3 Mining Protocol) and the two Template Distribution messages (7.x) whose
// published byte vectors pin the basic types. Each message is described once, by
// Fields(): the field names and wire types of the spec's tables, in order. Encode,
// Decode and the tests (which compare these descriptions with the spec's tables in
// ../shared/data/sv2/sv2_spec_message_fields.json) all walk that one description.
//
// Byte orders: see binary.h (all little-endian; U256 as on the wire). prev_hash and
// merkle_root/merkle_path entries are in header byte order (sha256d output order), the
// reverse of an explorer's display; targets are U256 little-endian.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/pool/sv2/binary.h"

namespace hashrig::pool::sv2 {

// SetupConnection.protocol (sv2-spec 3.6.1).
enum class SubProtocol : std::uint8_t {
  kMining = 0,
  kJobDeclaration = 1,
  kTemplateDistribution = 2,
};

// SetupConnection.flags for the Mining Protocol (sv2-spec 5.3.1), as the device sends them.
inline constexpr std::uint32_t kRequiresStandardJobs = 1u << 0;
inline constexpr std::uint32_t kRequiresWorkSelection = 1u << 1;
inline constexpr std::uint32_t kRequiresVersionRolling = 1u << 2;
// SetupConnection.Success.flags from the pool (5.3.2).
inline constexpr std::uint32_t kRequiresFixedVersion = 1u << 0;
inline constexpr std::uint32_t kRequiresExtendedChannels = 1u << 1;

// The bits of a block version a device may roll when the job allows it: BIP320's 13..28
// and BIP323's 5..12, as SRI checks them (data/sv2/README.md).
inline constexpr std::uint32_t kVersionRollingMask = 0x1fffffe0;

struct MessageKind {
  std::uint8_t msg_type;
  bool channel_msg;           // the frame's extension_type carries bit 15
  std::string_view name;      // as the spec writes it: "SubmitShares.Success"
  std::string_view protocol;  // "common", "mining", "template_distribution"
};

struct SetupConnection {
  static constexpr MessageKind kKind{0x00, false, "SetupConnection", "common"};
  std::uint8_t protocol = 0;
  std::uint16_t min_version = 0;
  std::uint16_t max_version = 0;
  std::uint32_t flags = 0;
  std::string endpoint_host;
  std::uint16_t endpoint_port = 0;
  std::string vendor;
  std::string hardware_version;
  std::string firmware;
  std::string device_id;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("protocol", m.protocol, wire::U8{});
    v("min_version", m.min_version, wire::U16{});
    v("max_version", m.max_version, wire::U16{});
    v("flags", m.flags, wire::U32{});
    v("endpoint_host", m.endpoint_host, wire::Str255{});
    v("endpoint_port", m.endpoint_port, wire::U16{});
    v("vendor", m.vendor, wire::Str255{});
    v("hardware_version", m.hardware_version, wire::Str255{});
    v("firmware", m.firmware, wire::Str255{});
    v("device_id", m.device_id, wire::Str255{});
  }
};

struct SetupConnectionSuccess {
  static constexpr MessageKind kKind{0x01, false, "SetupConnection.Success", "common"};
  std::uint16_t used_version = 0;
  std::uint32_t flags = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("used_version", m.used_version, wire::U16{});
    v("flags", m.flags, wire::U32{});
  }
};

struct SetupConnectionError {
  static constexpr MessageKind kKind{0x02, false, "SetupConnection.Error", "common"};
  std::uint32_t flags = 0;
  std::string error_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("flags", m.flags, wire::U32{});
    v("error_code", m.error_code, wire::Str255{});
  }
};

struct ChannelEndpointChanged {
  static constexpr MessageKind kKind{0x03, true, "ChannelEndpointChanged", "common"};
  std::uint32_t channel_id = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
  }
};

struct Reconnect {
  static constexpr MessageKind kKind{0x04, false, "Reconnect", "common"};
  std::string new_host;
  std::uint16_t new_port = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("new_host", m.new_host, wire::Str255{});
    v("new_port", m.new_port, wire::U16{});
  }
};

struct OpenStandardMiningChannel {
  static constexpr MessageKind kKind{0x10, false, "OpenStandardMiningChannel", "mining"};
  std::uint32_t request_id = 0;
  std::string user_identity;
  float nominal_hash_rate = 0;
  U256 max_target{};

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("request_id", m.request_id, wire::U32{});
    v("user_identity", m.user_identity, wire::Str255{});
    v("nominal_hash_rate", m.nominal_hash_rate, wire::F32{});
    v("max_target", m.max_target, wire::U256{});
  }
};

struct OpenStandardMiningChannelSuccess {
  static constexpr MessageKind kKind{0x11, false, "OpenStandardMiningChannel.Success", "mining"};
  std::uint32_t request_id = 0;
  std::uint32_t channel_id = 0;
  U256 target{};
  Bytes extranonce_prefix;
  std::uint32_t group_channel_id = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("request_id", m.request_id, wire::U32{});
    v("channel_id", m.channel_id, wire::U32{});
    v("target", m.target, wire::U256{});
    v("extranonce_prefix", m.extranonce_prefix, wire::B32{});
    v("group_channel_id", m.group_channel_id, wire::U32{});
  }
};

struct OpenMiningChannelError {
  static constexpr MessageKind kKind{0x12, false, "OpenMiningChannel.Error", "mining"};
  std::uint32_t request_id = 0;
  std::string error_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("request_id", m.request_id, wire::U32{});
    v("error_code", m.error_code, wire::Str255{});
  }
};

struct OpenExtendedMiningChannel {
  static constexpr MessageKind kKind{0x13, false, "OpenExtendedMiningChannel", "mining"};
  std::uint32_t request_id = 0;
  std::string user_identity;
  float nominal_hash_rate = 0;
  U256 max_target{};
  std::uint16_t min_extranonce_size = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("request_id", m.request_id, wire::U32{});
    v("user_identity", m.user_identity, wire::Str255{});
    v("nominal_hash_rate", m.nominal_hash_rate, wire::F32{});
    v("max_target", m.max_target, wire::U256{});
    v("min_extranonce_size", m.min_extranonce_size, wire::U16{});
  }
};

struct OpenExtendedMiningChannelSuccess {
  static constexpr MessageKind kKind{0x14, false, "OpenExtendedMiningChannel.Success", "mining"};
  std::uint32_t request_id = 0;
  std::uint32_t channel_id = 0;
  U256 target{};
  std::uint16_t extranonce_size = 0;
  Bytes extranonce_prefix;
  std::uint32_t group_channel_id = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("request_id", m.request_id, wire::U32{});
    v("channel_id", m.channel_id, wire::U32{});
    v("target", m.target, wire::U256{});
    v("extranonce_size", m.extranonce_size, wire::U16{});
    v("extranonce_prefix", m.extranonce_prefix, wire::B32{});
    v("group_channel_id", m.group_channel_id, wire::U32{});
  }
};

struct NewMiningJob {
  static constexpr MessageKind kKind{0x15, true, "NewMiningJob", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t job_id = 0;
  std::optional<std::uint32_t> min_ntime;
  std::uint32_t version = 0;
  U256 merkle_root{};

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
    v("min_ntime", m.min_ntime, wire::Option<wire::U32>{});
    v("version", m.version, wire::U32{});
    v("merkle_root", m.merkle_root, wire::U256{});
  }
};

struct UpdateChannel {
  static constexpr MessageKind kKind{0x16, true, "UpdateChannel", "mining"};
  std::uint32_t channel_id = 0;
  float nominal_hash_rate = 0;
  U256 maximum_target{};

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("nominal_hash_rate", m.nominal_hash_rate, wire::F32{});
    v("maximum_target", m.maximum_target, wire::U256{});
  }
};

struct UpdateChannelError {
  static constexpr MessageKind kKind{0x17, true, "UpdateChannel.Error", "mining"};
  std::uint32_t channel_id = 0;
  std::string error_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("error_code", m.error_code, wire::Str255{});
  }
};

struct CloseChannel {
  static constexpr MessageKind kKind{0x18, true, "CloseChannel", "mining"};
  std::uint32_t channel_id = 0;
  std::string reason_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("reason_code", m.reason_code, wire::Str255{});
  }
};

struct SetExtranoncePrefix {
  static constexpr MessageKind kKind{0x19, true, "SetExtranoncePrefix", "mining"};
  std::uint32_t channel_id = 0;
  Bytes extranonce_prefix;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("extranonce_prefix", m.extranonce_prefix, wire::B32{});
  }
};

struct SubmitSharesStandard {
  static constexpr MessageKind kKind{0x1a, true, "SubmitSharesStandard", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t sequence_number = 0;
  std::uint32_t job_id = 0;
  std::uint32_t nonce = 0;
  std::uint32_t ntime = 0;
  std::uint32_t version = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("sequence_number", m.sequence_number, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
    v("nonce", m.nonce, wire::U32{});
    v("ntime", m.ntime, wire::U32{});
    v("version", m.version, wire::U32{});
  }
};

struct SubmitSharesExtended {
  static constexpr MessageKind kKind{0x1b, true, "SubmitSharesExtended", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t sequence_number = 0;
  std::uint32_t job_id = 0;
  std::uint32_t nonce = 0;
  std::uint32_t ntime = 0;
  std::uint32_t version = 0;
  Bytes extranonce;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("sequence_number", m.sequence_number, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
    v("nonce", m.nonce, wire::U32{});
    v("ntime", m.ntime, wire::U32{});
    v("version", m.version, wire::U32{});
    v("extranonce", m.extranonce, wire::B32{});
  }
};

struct SubmitSharesSuccess {
  static constexpr MessageKind kKind{0x1c, true, "SubmitShares.Success", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t last_sequence_number = 0;
  std::uint32_t new_submits_accepted_count = 0;
  std::uint64_t new_shares_sum = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("last_sequence_number", m.last_sequence_number, wire::U32{});
    v("new_submits_accepted_count", m.new_submits_accepted_count, wire::U32{});
    v("new_shares_sum", m.new_shares_sum, wire::U64{});
  }
};

struct SubmitSharesError {
  static constexpr MessageKind kKind{0x1d, true, "SubmitShares.Error", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t sequence_number = 0;
  std::string error_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("sequence_number", m.sequence_number, wire::U32{});
    v("error_code", m.error_code, wire::Str255{});
  }
};

struct NewExtendedMiningJob {
  static constexpr MessageKind kKind{0x1f, true, "NewExtendedMiningJob", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t job_id = 0;
  std::optional<std::uint32_t> min_ntime;
  std::uint32_t version = 0;
  bool version_rolling_allowed = false;
  std::vector<U256> merkle_path;
  Bytes coinbase_tx_prefix;
  Bytes coinbase_tx_suffix;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
    v("min_ntime", m.min_ntime, wire::Option<wire::U32>{});
    v("version", m.version, wire::U32{});
    v("version_rolling_allowed", m.version_rolling_allowed, wire::Bool{});
    v("merkle_path", m.merkle_path, wire::Seq255<wire::U256>{});
    v("coinbase_tx_prefix", m.coinbase_tx_prefix, wire::B64K{});
    v("coinbase_tx_suffix", m.coinbase_tx_suffix, wire::B64K{});
  }
};

struct SetNewPrevHash {
  static constexpr MessageKind kKind{0x20, true, "SetNewPrevHash", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t job_id = 0;
  U256 prev_hash{};
  std::uint32_t min_ntime = 0;
  std::uint32_t nbits = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
    v("prev_hash", m.prev_hash, wire::U256{});
    v("min_ntime", m.min_ntime, wire::U32{});
    v("nbits", m.nbits, wire::U32{});
  }
};

struct SetTarget {
  static constexpr MessageKind kKind{0x21, true, "SetTarget", "mining"};
  std::uint32_t channel_id = 0;
  U256 maximum_target{};

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("maximum_target", m.maximum_target, wire::U256{});
  }
};

struct SetCustomMiningJob {
  static constexpr MessageKind kKind{0x22, true, "SetCustomMiningJob", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t request_id = 0;
  Bytes mining_job_token;
  std::uint32_t version = 0;
  U256 prev_hash{};
  std::uint32_t min_ntime = 0;
  std::uint32_t nbits = 0;
  std::uint32_t coinbase_tx_version = 0;
  Bytes coinbase_prefix;
  std::uint32_t coinbase_tx_input_nSequence = 0;
  Bytes coinbase_tx_outputs;
  std::uint32_t coinbase_tx_locktime = 0;
  std::vector<U256> merkle_path;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("request_id", m.request_id, wire::U32{});
    v("mining_job_token", m.mining_job_token, wire::B255{});
    v("version", m.version, wire::U32{});
    v("prev_hash", m.prev_hash, wire::U256{});
    v("min_ntime", m.min_ntime, wire::U32{});
    v("nbits", m.nbits, wire::U32{});
    v("coinbase_tx_version", m.coinbase_tx_version, wire::U32{});
    v("coinbase_prefix", m.coinbase_prefix, wire::B255{});
    v("coinbase_tx_input_nSequence", m.coinbase_tx_input_nSequence, wire::U32{});
    v("coinbase_tx_outputs", m.coinbase_tx_outputs, wire::B64K{});
    v("coinbase_tx_locktime", m.coinbase_tx_locktime, wire::U32{});
    v("merkle_path", m.merkle_path, wire::Seq255<wire::U256>{});
  }
};

struct SetCustomMiningJobSuccess {
  static constexpr MessageKind kKind{0x23, true, "SetCustomMiningJob.Success", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t request_id = 0;
  std::uint32_t job_id = 0;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("request_id", m.request_id, wire::U32{});
    v("job_id", m.job_id, wire::U32{});
  }
};

struct SetCustomMiningJobError {
  static constexpr MessageKind kKind{0x24, true, "SetCustomMiningJob.Error", "mining"};
  std::uint32_t channel_id = 0;
  std::uint32_t request_id = 0;
  std::string error_code;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("channel_id", m.channel_id, wire::U32{});
    v("request_id", m.request_id, wire::U32{});
    v("error_code", m.error_code, wire::Str255{});
  }
};

struct SetGroupChannel {
  static constexpr MessageKind kKind{0x25, false, "SetGroupChannel", "mining"};
  std::uint32_t group_channel_id = 0;
  std::vector<std::uint32_t> channel_ids;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("group_channel_id", m.group_channel_id, wire::U32{});
    v("channel_ids", m.channel_ids, wire::Seq64K<wire::U32>{});
  }
};

struct NewTemplate {
  static constexpr MessageKind kKind{0x71, false, "NewTemplate", "template_distribution"};
  std::uint64_t template_id = 0;
  bool future_template = false;
  std::uint32_t version = 0;
  std::uint32_t coinbase_tx_version = 0;
  Bytes coinbase_prefix;
  std::uint32_t coinbase_tx_input_sequence = 0;
  std::uint64_t coinbase_tx_value_remaining = 0;
  std::uint32_t coinbase_tx_outputs_count = 0;
  Bytes coinbase_tx_outputs;
  std::uint32_t coinbase_tx_locktime = 0;
  std::vector<U256> merkle_path;

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("template_id", m.template_id, wire::U64{});
    v("future_template", m.future_template, wire::Bool{});
    v("version", m.version, wire::U32{});
    v("coinbase_tx_version", m.coinbase_tx_version, wire::U32{});
    v("coinbase_prefix", m.coinbase_prefix, wire::B255{});
    v("coinbase_tx_input_sequence", m.coinbase_tx_input_sequence, wire::U32{});
    v("coinbase_tx_value_remaining", m.coinbase_tx_value_remaining, wire::U64{});
    v("coinbase_tx_outputs_count", m.coinbase_tx_outputs_count, wire::U32{});
    v("coinbase_tx_outputs", m.coinbase_tx_outputs, wire::B64K{});
    v("coinbase_tx_locktime", m.coinbase_tx_locktime, wire::U32{});
    v("merkle_path", m.merkle_path, wire::Seq255<wire::U256>{});
  }
};

struct TemplateSetNewPrevHash {
  static constexpr MessageKind kKind{0x72, false, "SetNewPrevHash", "template_distribution"};
  std::uint64_t template_id = 0;
  U256 prev_hash{};
  std::uint32_t header_timestamp = 0;
  std::uint32_t n_bits = 0;
  U256 target{};

  template <typename Self, typename Visit>
  static void Fields(Self& m, Visit&& v) {
    v("template_id", m.template_id, wire::U64{});
    v("prev_hash", m.prev_hash, wire::U256{});
    v("header_timestamp", m.header_timestamp, wire::U32{});
    v("nBits", m.n_bits, wire::U32{});
    v("target", m.target, wire::U256{});
  }
};

// One decoded message of any of the kinds above.
using Message = std::variant<
    SetupConnection, SetupConnectionSuccess, SetupConnectionError, ChannelEndpointChanged,
    Reconnect, OpenStandardMiningChannel, OpenStandardMiningChannelSuccess, OpenMiningChannelError,
    OpenExtendedMiningChannel, OpenExtendedMiningChannelSuccess, NewMiningJob, UpdateChannel,
    UpdateChannelError, CloseChannel, SetExtranoncePrefix, SubmitSharesStandard,
    SubmitSharesExtended, SubmitSharesSuccess, SubmitSharesError, NewExtendedMiningJob,
    SetNewPrevHash, SetTarget, SetCustomMiningJob, SetCustomMiningJobSuccess,
    SetCustomMiningJobError, SetGroupChannel, NewTemplate, TemplateSetNewPrevHash>;

// The payload alone (no frame header), or an Error naming the field over its type's limit.
template <typename M>
Expected<Bytes> EncodePayload(const M& m) {
  Writer w;
  M::Fields(m, [&w](std::string_view name, const auto& value, auto tag) {
    w.set_field(name);
    w.Put(value, tag);
  });
  if (!w.error().ok()) {
    return w.error().Context(M::kKind.name);
  }
  return w.Take();
}

// Header ‖ payload, the frame as it goes into the Noise transport (or onto plain TCP).
Expected<Bytes> EncodeFrame(const Message& m);

template <typename M>
Expected<M> DecodePayload(std::span<const std::uint8_t> payload) {
  M m;
  Reader r(payload);
  M::Fields(m, [&r](std::string_view name, auto& value, auto tag) {
    r.set_field(name);
    r.Get(value, tag);
  });
  if (Error e = r.Finish(M::kKind.name); !e.ok()) {
    return e;
  }
  return m;
}

// Decodes a frame's payload by its header's msg_type. Unknown types, an extension_type
// other than 0 (no extensions are negotiated) and a msg_length that is not the payload's
// size are Errors; the channel_msg bit is not trusted (it is set right when we encode).
Expected<Message> DecodeMessage(const FrameHeader& header, std::span<const std::uint8_t> payload);

const MessageKind& KindOf(const Message& m);

}  // namespace hashrig::pool::sv2
