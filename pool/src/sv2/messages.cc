#include "hashrig/pool/sv2/messages.h"

#include <utility>

#include "hashrig/base/hex.h"

namespace hashrig::pool::sv2 {
namespace {

template <typename M>
bool TryDecode(std::uint8_t type, std::span<const std::uint8_t> payload,
               std::optional<Expected<Message>>& out) {
  if (M::kKind.msg_type != type) {
    return false;
  }
  auto m = DecodePayload<M>(payload);
  out = m ? Expected<Message>(Message(std::move(*m))) : Expected<Message>(m.error());
  return true;
}

template <std::size_t... I>
std::optional<Expected<Message>> DecodeByType(std::uint8_t type,
                                              std::span<const std::uint8_t> payload,
                                              std::index_sequence<I...> /*unused*/) {
  std::optional<Expected<Message>> out;
  (TryDecode<std::variant_alternative_t<I, Message>>(type, payload, out) || ...);
  return out;
}

}  // namespace

Expected<Bytes> EncodeFrame(const Message& m) {
  return std::visit(
      [](const auto& msg) -> Expected<Bytes> {
        using M = std::decay_t<decltype(msg)>;
        auto payload = EncodePayload(msg);
        if (!payload) {
          return payload.error();
        }
        FrameHeader h;
        h.channel_msg = M::kKind.channel_msg;
        h.msg_type = M::kKind.msg_type;
        h.msg_length = static_cast<std::uint32_t>(payload->size());
        if (payload->size() > FrameHeader::kMaxLength) {
          return Error(StatusCode::kInvalidArgument,
                       std::string(M::kKind.name) + ": payload over 16 MiB");
        }
        const auto header = h.Encode();
        Bytes frame(header.begin(), header.end());
        frame.insert(frame.end(), payload->begin(), payload->end());
        return frame;
      },
      m);
}

Expected<Message> DecodeMessage(const FrameHeader& header, std::span<const std::uint8_t> payload) {
  if (header.extension_type != 0) {
    return Error(StatusCode::kInvalidArgument, "extension_type " +
                                                   std::to_string(header.extension_type) +
                                                   " (no extension was negotiated)");
  }
  if (header.msg_length != payload.size()) {
    return Error(StatusCode::kInvalidArgument, "msg_length " + std::to_string(header.msg_length) +
                                                   " for a payload of " +
                                                   std::to_string(payload.size()) + " bytes");
  }
  auto out = DecodeByType(header.msg_type, payload,
                          std::make_index_sequence<std::variant_size_v<Message>>{});
  if (!out) {
    return Error(StatusCode::kInvalidArgument,
                 "unknown msg_type 0x" + EncodeHex(std::span(&header.msg_type, 1)));
  }
  return std::move(*out);
}

const MessageKind& KindOf(const Message& m) {
  return std::visit([](const auto& msg) -> const MessageKind& { return msg.kKind; }, m);
}

}  // namespace hashrig::pool::sv2
