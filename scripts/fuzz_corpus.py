#!/usr/bin/env python3
"""Writes the libFuzzer seed corpora under tests/fuzz/corpus/<target>/ from the real data
in ../shared/data (issue 13, point 9): Stratum sessions and lines from pool captures,
BM13xx UART frames from a chip capture, NIST messages, the sample config, cgminer API
requests, and Avalon CN packets and AUC transfers of ../shared/reference/avalon_examples.py's
worked session. Deterministic: run it again and nothing changes. scripts/fuzz_long.sh then
grows each corpus by long runs and merges what it found back (minimised).

  python3 scripts/fuzz_corpus.py [SHARED_DATA_DIR]      (default ../shared/data)
"""
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def seed(target, content, name=None):
    if isinstance(content, str):
        content = content.encode()
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    name = name or "seed-" + hashlib.sha1(content).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(content)


def load(path):
    with open(os.path.join(DATA, path)) as f:
        return json.load(f)


def stratum():
    slush = load("stratum/slush_docs_testnet3_block25096.json")
    seed("fuzz_stratum_session", "\n".join(slush["lines_in_order"]) + "\n", "slush-docs-session")
    for line in slush["lines_in_order"]:
        seed("fuzz_stratum_session", line)
    mujina = load("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json")
    lines = [json.dumps(mujina[k]) for k in ("notify", "submit", "pool_reply")]
    seed("fuzz_stratum_session", "\n".join(lines) + "\n", "mujina-bitaxe-gamma")
    esp = load("stratum/esp_miner_slush_2023.json")
    for vector in esp["parse_vectors"]:
        if isinstance(vector, dict) and "line" in vector:
            seed("fuzz_stratum_session", vector["line"])
    for name in sorted(os.listdir(os.path.join(DATA, "blocks", "jobs"))):
        job = load(os.path.join("blocks", "jobs", name))
        lines = []
        for key in ("notify", "submit"):
            value = job.get(key)
            if isinstance(value, dict):
                lines.append(json.dumps(value))
            elif isinstance(value, list):
                method = "mining.notify" if key == "notify" else "mining.submit"
                lines.append(json.dumps({"id": None if key == "notify" else 4,
                                         "method": method, "params": value}))
        if lines:
            seed("fuzz_stratum_session", "\n".join(lines) + "\n", "job-" + name[4:-5])


def bm13xx():
    wire = load("stratum/mujina_bitaxe_gamma_capture_2025-06-19.json")["bm1370_wire"]
    job = bytes.fromhex(wire["job_tx_frame_hex"])
    nonce = bytes.fromhex(wire["nonce_rx_frame_hex"])
    seed("fuzz_bm13xx", job, "bm1370-job-frame")
    seed("fuzz_bm13xx", nonce, "bm1370-nonce-frame")
    seed("fuzz_bm13xx", job + nonce * 3, "bm1370-job-then-nonces")
    # The chip capture format of hal/capture.h around the same frames.
    seed("fuzz_chip_capture",
         "# hashrig chip capture 1\nmodel BM1370\nchips 1\nbaud 115200\n"
         f"1000 > 115200 {job.hex()}\n11000 < 115200 {nonce.hex()}\n",
         "bm1370-mujina")


def avalon():
    """The reference script's worked session (block 542213) as CN packet streams and AUC
    transfers, made by the script's own functions."""
    import importlib.util
    path = os.path.join(DATA, "..", "reference", "avalon_examples.py")
    spec = importlib.util.spec_from_file_location("avalon_examples", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    job = load("blocks/jobs/job_542213.json")
    en1 = job["subscribe_result"]["extranonce1"]
    packets, _ = ex.stratum_packets(job, en1, job["subscribe_result"]["extranonce2_size"],
                                    sdiff=1024, diffmax=2700, vmask_words=[0x20000000] * 4)
    stream = b"".join(pkt for _, pkt in packets) + ex.mm_packet(ex.P["JOB_FIN"])
    seed("fuzz_avalon", stream, "job-542213")
    seed("fuzz_avalon", b"\x00\x43garbage" + stream[:61] + stream, "job-542213-damaged")
    dna = bytes.fromhex("020100002c2af618")
    detect = ex.mm_packet(ex.P["DETECT"], bytes(28) + ex.be32(1))
    ack = ex.mm_packet(ex.P["ACKDETECT"], dna + b"851-EXAMPLEVER1" + ex.be32(104))
    seed("fuzz_avalon", detect + ack + ex.mm_packet(ex.P["SYNC"], dna), "detect-ack-sync")
    nonce = bytes.fromhex("000500010005baac000000001396e301e9cd0000")
    slot = bytes.fromhex("100001051396e3010005baace9cd0000")
    seed("fuzz_avalon", ex.mm_packet(ex.P["NONCE"], nonce, opt=0x18) +
         ex.mm_packet(ex.P["NONCE"], slot + slot, opt=0x18), "nonces")
    seed("fuzz_avalon", ex.auc_xfer(0, detect, 40), "auc-xfer-detect")
    seed("fuzz_avalon", ex.auc_reply(ack), "auc-reply-ack")
    seed("fuzz_avalon", ex.auc_init(400000, 19200), "auc-init")
    seed("fuzz_avalon", ex.auc_reply(bytes([0x00, 0x02, 0, 1, 0, 0, 2])), "auc-info-reply")
    # The driver's answers, each as a length byte and its bytes (avalon_driver_fuzz.cc):
    # a module detected and a nonce on a raw stream, then the AUC's init and the same.
    status = ex.mm_packet(ex.P["STATUS"], bytes(32), opt=0x18)
    nonce_packet = ex.mm_packet(ex.P["NONCE"], nonce, opt=0x18)
    answers = [ack, b"", status] + [b""] * 9 + [nonce_packet, status]
    seed("fuzz_avalon_driver", b"".join(bytes([len(a)]) + a for a in answers), "raw-session")
    ok = bytes([4, 0, 0, 0])
    init = ex.auc_reply(b"AUC-20151208")
    auc = [ok, ok, init, ex.auc_reply(ack), ex.auc_reply(status)] + [ok] * 9
    auc += [ok] * 16 + [ex.auc_reply(nonce_packet)]
    seed("fuzz_avalon_driver", b"".join(bytes([len(a)]) + a for a in auc), "auc-session")


def sv2():
    # Mode byte 0: every message vector's frame; 1: a miner's act1 and the frame after it;
    # 2: a pool's act2; 3: transport frames (sv2_fuzz.cc picks the mode from byte 0).
    for vector in load("sv2/sv2_message_vectors.json")["vectors"]:
        seed("fuzz_sv2", bytes([0]) + bytes.fromhex(vector["frame_hex"]), "frame-" + vector["id"])
    frames = b"".join(bytes.fromhex(v["frame_hex"]) for v in load("sv2/sv2_message_vectors.json")["vectors"])
    seed("fuzz_sv2", bytes([4]) + frames, "sessions-every-message")
    hs = load("sv2/noise_vectors.json")["handshakes"][0]["expected"]
    seed("fuzz_sv2", bytes([1]) + bytes.fromhex(hs["act1_message"]), "act1")
    seed("fuzz_sv2", bytes([2]) + bytes.fromhex(hs["act2_message"]), "act2")
    for t in load("sv2/noise_vectors.json")["transport"]:
        if "ciphertext_hex" in t:
            seed("fuzz_sv2", bytes([3]) + bytes.fromhex(t["ciphertext_hex"]), "transport-" + t["id"])


def sha256_stream():
    for name in ("SHA256ShortMsg.rsp", "SHA256LongMsg.rsp"):
        with open(os.path.join(DATA, "nist", name)) as f:
            messages = [line.split("=")[1].strip() for line in f if line.startswith("Msg")]
        for msg in messages[::16]:  # a spread of lengths, not all of them
            seed("fuzz_sha256_stream", bytes.fromhex(msg) if msg != "00" else b"")
    with open(os.path.join(DATA, "headers.csv")) as f:
        headers = [line.split(",")[1] for line in f if line[0].isdigit()]
    for h in headers[::100]:
        seed("fuzz_sha256_stream", bytes.fromhex(h))


def host():
    with open(os.path.join(ROOT, "docs", "hashrig.sample.json")) as f:
        seed("fuzz_host_config", f.read(), "hashrig-sample")
    for request in ('{"command":"summary"}', '{"command":"devs"}', '{"command":"pools"}',
                    '{"command":"stats"}', '{"command":"summary+devs"}', "summary", "summary|",
                    '{"command":"version"}', '{"command":"switchpool","parameter":"1"}',
                    "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"):
        seed("fuzz_host_api", request)
    # NUL-separated argument vectors; the first byte picks the command (hashrig's order).
    for argv in (b"\x00-o\x00stratum+tcp://127.0.0.1:3333\x00-u\x00a.b\x00--board\x00sim:4",
                 b"\x01--listen\x00127.0.0.1:0\x00--difficulty\x000.001",
                 b"\x02--model\x00BM1368\x00--chips\x002\x00--pty"):
        seed("fuzz_host_args", argv)


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"fuzz_corpus: no shared data at {DATA}")
    stratum()
    bm13xx()
    avalon()
    sv2()
    sha256_stream()
    host()
    for target in sorted(os.listdir(OUT)):
        print(f"{target}: {len(os.listdir(os.path.join(OUT, target)))} files")


if __name__ == "__main__":
    main()
