// Stratum V2 framing and messages against the team's vectors (../shared/data/sv2/, its
// README says where each byte came from): every message vector encoded byte for byte,
// decoded back field for field; sv2-tp's published vectors; our message descriptions
// checked against the spec's field tables; and every way a payload can be malformed.
#include <algorithm>
#include <utility>

#include <gtest/gtest.h>

#include "hashrig/pool/sv2/messages.h"
#include "support/shared_data.h"

namespace hashrig::pool::sv2 {
namespace {

using nlohmann::json;
using testing::FromHex;
using testing::ReadJson;
using testing::ToHex;

// A field's value from the vectors' JSON (README "Conventions"): numbers, booleans,
// text, and lowercase hex for every byte-valued field.
void FromJson(const json& j, std::uint8_t& v, wire::U8) { v = j.get<std::uint8_t>(); }
void FromJson(const json& j, std::uint16_t& v, wire::U16) { v = j.get<std::uint16_t>(); }
void FromJson(const json& j, std::uint32_t& v, auto) { v = j.get<std::uint32_t>(); }
void FromJson(const json& j, std::uint64_t& v, wire::U64) { v = j.get<std::uint64_t>(); }
void FromJson(const json& j, float& v, wire::F32) { v = j.get<float>(); }
void FromJson(const json& j, bool& v, wire::Bool) { v = j.get<bool>(); }
void FromJson(const json& j, std::string& v, wire::Str255) { v = j.get<std::string>(); }
void FromJson(const json& j, Bytes& v, auto) { v = FromHex(j.get<std::string>()); }
void FromJson(const json& j, U256& v, wire::U256) {
  const auto bytes = FromHex(j.get<std::string>());
  ASSERT_EQ(bytes.size(), 32u);
  std::copy(bytes.begin(), bytes.end(), v.begin());
}
void FromJson(const json& j, std::vector<U256>& v, auto) {
  v.clear();
  for (const auto& e : j) {
    FromJson(e, v.emplace_back(), wire::U256{});
  }
}
void FromJson(const json& j, std::vector<std::uint32_t>& v, auto) {
  v = j.get<std::vector<std::uint32_t>>();
}
void FromJson(const json& j, std::optional<std::uint32_t>& v, auto) {
  v = j.is_null() ? std::nullopt : std::optional(j.get<std::uint32_t>());
}

// And back, to compare a decoded message with the vector's fields.
json ToJson(const auto& v) {
  using T = std::decay_t<decltype(v)>;
  if constexpr (std::is_same_v<T, Bytes>) {
    return ToHex(v);
  } else if constexpr (std::is_same_v<T, U256>) {
    return ToHex(Bytes(v.begin(), v.end()));
  } else if constexpr (std::is_same_v<T, std::vector<U256>>) {
    json out = json::array();
    for (const auto& e : v) {
      out.push_back(ToJson(e));
    }
    return out;
  } else if constexpr (std::is_same_v<T, std::optional<std::uint32_t>>) {
    return v ? json(*v) : json(nullptr);
  } else {
    return json(v);
  }
}

// The message the vector names ("mining/SubmitShares.Success"), filled from its fields.
template <std::size_t I = 0>
std::optional<Message> Build(const std::string& name, const json& fields) {
  if constexpr (I == std::variant_size_v<Message>) {
    ADD_FAILURE() << "no message " << name;
    return std::nullopt;
  } else {
    using M = std::variant_alternative_t<I, Message>;
    if (std::string(M::kKind.protocol) + "/" + std::string(M::kKind.name) != name) {
      return Build<I + 1>(name, fields);
    }
    M m;
    M::Fields(m, [&](std::string_view field, auto& value, auto tag) {
      ASSERT_TRUE(fields.contains(field)) << name << " has no " << field;
      FromJson(fields.at(std::string(field)), value, tag);
    });
    return Message(std::move(m));
  }
}

json FieldsOf(const Message& m) {
  json out = json::object();
  std::visit(
      [&](const auto& msg) {
        using M = std::decay_t<decltype(msg)>;
        M::Fields(msg, [&](std::string_view field, const auto& value, auto /*tag*/) {
          out[std::string(field)] = ToJson(value);
        });
      },
      m);
  return out;
}

Expected<Message> DecodeFrame(const Bytes& frame) {
  if (frame.size() < FrameHeader::kSize) {
    return Error(StatusCode::kInvalidArgument, "short");
  }
  const auto header = FrameHeader::Decode(std::span(frame).first<FrameHeader::kSize>());
  return DecodeMessage(header, std::span(frame).subspan(FrameHeader::kSize));
}

// Floats in the vectors are written as the JSON number of an IEEE single: compare as one.
void ExpectSameFields(const json& expected, const json& actual) {
  for (const auto& [name, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(name)) << name;
    if (value.is_number_float()) {
      EXPECT_EQ(value.get<float>(), actual[name].get<float>()) << name;
    } else {
      EXPECT_EQ(value, actual[name]) << name;
    }
  }
  EXPECT_EQ(expected.size(), actual.size());
}

TEST(Sv2MessagesTest, EveryMessageVectorEncodesAndDecodesByteForByte) {
  const json vectors = ReadJson("sv2/sv2_message_vectors.json")["vectors"];
  ASSERT_GE(vectors.size(), 35u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    auto m = Build(v["message"], v["fields"]);
    ASSERT_TRUE(m);
    auto payload = std::visit([](const auto& msg) { return EncodePayload(msg); }, *m);
    ASSERT_TRUE(payload) << payload.error().message();
    EXPECT_EQ(ToHex(*payload), v["payload_hex"].get<std::string>());
    auto frame = EncodeFrame(*m);
    ASSERT_TRUE(frame) << frame.error().message();
    EXPECT_EQ(ToHex(*frame), v["frame_hex"].get<std::string>());

    auto decoded = DecodeFrame(FromHex(v["frame_hex"].get<std::string>()));
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(KindOf(*decoded).name, KindOf(*m).name);
    ExpectSameFields(v["fields"], FieldsOf(*decoded));
  }
}

// sv2-tp's src/test/sv2_messages_tests.cpp vectors: three frame headers, six messages.
TEST(Sv2MessagesTest, TemplateProviderVectors) {
  const json vectors = ReadJson("sv2/sv2_tp_message_vectors.json")["vectors"];
  ASSERT_EQ(vectors.size(), 9u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    if (v["message"] == "frame_header") {
      const auto bytes = FromHex(v["header_hex"].get<std::string>());
      ASSERT_EQ(bytes.size(), FrameHeader::kSize);
      const auto h = FrameHeader::Decode(std::span(bytes).first<FrameHeader::kSize>());
      EXPECT_EQ(h.extension_type, v["extension_type"].get<unsigned>());
      EXPECT_EQ(h.msg_type, v["msg_type"].get<unsigned>());
      EXPECT_EQ(h.msg_length, v["msg_length"].get<unsigned>());
      const auto again = h.Encode();
      EXPECT_EQ(ToHex(Bytes(again.begin(), again.end())), v["header_hex"].get<std::string>());
      continue;
    }
    const json& fields = v["fields"];
    auto m = Build(v["message"], fields);
    ASSERT_TRUE(m);
    auto payload = std::visit([](const auto& msg) { return EncodePayload(msg); }, *m);
    ASSERT_TRUE(payload);
    EXPECT_EQ(ToHex(*payload), v["payload_hex"].get<std::string>());
    FrameHeader h;
    h.msg_type = KindOf(*m).msg_type;
    h.msg_length = static_cast<std::uint32_t>(payload->size());
    auto decoded = DecodeMessage(h, *payload);
    ASSERT_TRUE(decoded) << decoded.error().message();
    ExpectSameFields(fields, FieldsOf(*decoded));
  }
}

// Our one description of each message is the spec's table: its msg_type, channel bit,
// field names, field types and order.
TEST(Sv2MessagesTest, DescriptionsMatchTheSpecsFieldTables) {
  const json spec = ReadJson("sv2/sv2_spec_message_fields.json")["messages"];
  std::size_t checked = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using M = std::variant_alternative_t<I, Message>;
          const std::string key = std::string(M::kKind.protocol) + "/" + std::string(M::kKind.name);
          SCOPED_TRACE(key);
          ASSERT_TRUE(spec.contains(key));
          const json& table = spec[key];
          EXPECT_EQ(table["msg_type"].get<int>(), M::kKind.msg_type);
          EXPECT_EQ(table["channel_msg"].get<bool>(), M::kKind.channel_msg);
          json ours = json::array();
          M m;
          M::Fields(m, [&](std::string_view field, auto& /*value*/, auto tag) {
            ours.push_back({std::string(field), WireName<decltype(tag)>()});
          });
          EXPECT_EQ(ours, table["fields"]);
          ++checked;
        }(),
        ...);
  }
  (std::make_index_sequence<std::variant_size_v<Message>>{});
  EXPECT_EQ(checked, std::variant_size_v<Message>);
}

// Every proper prefix of every vector's payload is refused with an error naming the
// message; so is one byte too many. Nothing is read past the input (ASan checks it).
TEST(Sv2MessagesTest, TruncatedOrOverlongPayloadsAreRefused) {
  const json vectors = ReadJson("sv2/sv2_message_vectors.json")["vectors"];
  for (const auto& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    const auto frame = FromHex(v["frame_hex"].get<std::string>());
    const auto header = FrameHeader::Decode(std::span(frame).first<FrameHeader::kSize>());
    const Bytes payload(frame.begin() + FrameHeader::kSize, frame.end());
    for (std::size_t n = 0; n < payload.size(); ++n) {
      FrameHeader h = header;
      h.msg_length = static_cast<std::uint32_t>(n);
      auto m = DecodeMessage(h, std::span(payload).first(n));
      ASSERT_FALSE(m) << n;
      EXPECT_NE(m.error().message().find("left"), std::string::npos) << m.error().message();
    }
    Bytes longer = payload;
    longer.push_back(0);
    FrameHeader h = header;
    h.msg_length = static_cast<std::uint32_t>(longer.size());
    auto m = DecodeMessage(h, longer);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message().find("1 bytes after the last field"), std::string::npos)
        << m.error().message();
  }
}

TEST(Sv2MessagesTest, BadValuesAreRefusedWithTheField) {
  // NewMiningJob: channel_id, job_id, OPTION[U32] min_ntime, version, merkle_root.
  Bytes job(4 + 4 + 1 + 4 + 32, 0);
  FrameHeader h;
  h.msg_type = NewMiningJob::kKind.msg_type;
  h.msg_length = static_cast<std::uint32_t>(job.size());
  ASSERT_TRUE(DecodeMessage(h, job));
  job[8] = 2;
  auto m = DecodeMessage(h, job);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "NewMiningJob: min_ntime: OPTION flag 2 (0 or 1)");

  // NewExtendedMiningJob.version_rolling_allowed is a BOOL.
  NewExtendedMiningJob ext;
  auto bytes = *EncodePayload(ext);
  bytes[13] = 7;
  h.msg_type = NewExtendedMiningJob::kKind.msg_type;
  h.msg_length = static_cast<std::uint32_t>(bytes.size());
  m = DecodeMessage(h, bytes);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "NewExtendedMiningJob: version_rolling_allowed: BOOL 7 (0 or 1)");

  // A B32 that says 33, and a sequence whose count cannot fit what is left.
  SetExtranoncePrefix prefix;
  prefix.extranonce_prefix.assign(32, 0xab);
  bytes = *EncodePayload(prefix);
  bytes[4] = 33;
  bytes.push_back(0xab);
  h.msg_type = SetExtranoncePrefix::kKind.msg_type;
  h.msg_length = static_cast<std::uint32_t>(bytes.size());
  m = DecodeMessage(h, bytes);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("extranonce_prefix: length 33, at most 32"), std::string::npos)
      << m.error().message();

  SetGroupChannel group;
  bytes = *EncodePayload(group);
  bytes[4] = 0xff;
  bytes[5] = 0xff;
  h.msg_type = SetGroupChannel::kKind.msg_type;
  h.msg_length = static_cast<std::uint32_t>(bytes.size());
  m = DecodeMessage(h, bytes);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "SetGroupChannel: channel_ids: a count of 65535 with 0 bytes left");

  // Unknown types, extensions and a length that is not the payload's.
  h.msg_type = 0x7f;
  h.msg_length = 0;
  m = DecodeMessage(h, {});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "unknown msg_type 0x7f");
  h.msg_type = SetTarget::kKind.msg_type;
  h.extension_type = 1;
  EXPECT_EQ(DecodeMessage(h, {}).error().message(),
            "extension_type 1 (no extension was negotiated)");
  h.extension_type = 0;
  h.msg_length = 36;
  EXPECT_EQ(DecodeMessage(h, {}).error().message(), "msg_length 36 for a payload of 0 bytes");
}

TEST(Sv2MessagesTest, EncodingRefusesWhatItsTypeCannotCarry) {
  OpenStandardMiningChannel open;
  open.user_identity.assign(256, 'u');
  auto p = EncodePayload(open);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(),
            "OpenStandardMiningChannel: user_identity: 256 items, at most 255");
  SubmitSharesExtended share;
  share.extranonce.assign(33, 1);
  EXPECT_FALSE(EncodePayload(share));
  NewExtendedMiningJob job;
  job.merkle_path.resize(256);
  EXPECT_FALSE(EncodeFrame(job));
}

TEST(Sv2MessagesTest, FrameHeaderChannelBit) {
  SetTarget t;
  t.channel_id = 7;
  auto frame = EncodeFrame(t);
  ASSERT_TRUE(frame);
  EXPECT_EQ(ToHex(Bytes(frame->begin(), frame->begin() + 6)), "008021240000");
  const auto h = FrameHeader::Decode(std::span(*frame).first<FrameHeader::kSize>());
  EXPECT_TRUE(h.channel_msg);
  EXPECT_EQ(h.extension_type, 0);
  EXPECT_EQ(h.msg_length, 36u);
}

}  // namespace
}  // namespace hashrig::pool::sv2
