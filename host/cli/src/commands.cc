// The command line in one table: each subcommand's name, summary, --help text and
// options.
#include "hashrig/host/cli/commands.h"

#include <string>

#include "hashrig/host/boards/board_kinds.h"

namespace hashrig::host {
namespace {

const OptionSpec kHelp{"help", 'h', false, false, "show this help"};
const OptionSpec kLogLevel{"log-level", 0, true, false,
                           "debug, info, warning or error (default info)"};

const std::string kRunBoards =
    BoardSyntaxList() + " (repeatable; default: sim — a slice of an S21 hashboard)";
const std::string kToolBoards = BoardSyntaxList() + " (repeatable)";

// Canaan MM modules' settings: run, scan and board-test take them alike.
const OptionSpec kAvalonFrequency{
    "avalon-frequency", 0, true, false,
    "Avalon modules' top PLL point in MHz (default the model's: 741 600, 851 850, LC3 500, "
    "1041 575)"};
const OptionSpec kAvalonVoltageLevel{
    "avalon-voltage-level", 0, true, false,
    "Avalon modules' SET_VOLT level (default the model's: Avalon 7 12 of 0..15, Avalon 8 5 of "
    "-15..15, LC3 5 of 0..31, Avalon 10 49 of 0..75)"};

// scan and board-test open boards the same way.
const std::vector<OptionSpec> kToolOptions = {
    {"board", 'b', true, true, kToolBoards},
    {"chip", 0, true, false, "chip model: BM1397, BM1366, BM1368, BM1370 (default BM1370)"},
    {"chips", 0, true, false, "chips expected per chain (default 1; sim:N says it itself)"},
    kAvalonFrequency,
    kAvalonVoltageLevel,
    kHelp,
};

const Command kBenchCommand{
    "bench",
    "measure sha256d scan throughput of every SHA-256 backend",
    "usage: hashrig bench [--list] [--backend NAME]... [--seconds S] [--threads N]\n\n"
    "Measures the sha256d nonce scan of an 80-byte block header on every SHA-256\n"
    "backend this CPU runs: MH/s on one core and on all cores, estimated cycles per\n"
    "nonce (from the core clock measured in the same run), speed-up over the scalar\n"
    "reference, and the ratio to an OpenSSL sha256d loop over the same header.\n\n",
    {
        {"list", 0, false, false, "list the SHA-256 backends and which this CPU runs"},
        {"backend", 0, true, true, "measure only this backend (repeatable)"},
        {"seconds", 0, true, false, "seconds per measurement (default 1)"},
        {"threads", 0, true, false, "threads for the all-cores column (default: all cores)"},
        {"versions", 0, true, false, "rolled versions per scan in the rolled column (default 4)"},
        kHelp,
    },
    &RunBench,
    nullptr,
    true};

const Command kHashCommand{
    "hash",
    "print SHA-256 / sha256d digests of files, like sha256sum",
    "usage: hashrig hash [--backend NAME] [--double] [FILE...]\n\n"
    "Prints the SHA-256 digest of each FILE (standard input when none is given,\n"
    "or for '-') as sha256sum does: hex digest, two spaces, name.\n\n",
    {
        {"backend", 0, true, false, "SHA-256 backend to use (see 'hashrig bench --list')"},
        {"double", 'd', false, false, "print sha256(sha256(data)) instead of sha256(data)"},
        kHelp,
    },
    &RunHash};

const Command kRunCommand{
    "run",
    "mine (no pool given: a simulated chain against the built-in pool)",
    "usage: hashrig run [-o URL -u USER -p PASS]... [OPTIONS]\n\n"
    "Mines. With no pool, on a simulated S21-profile chain against the built-in\n"
    "local pool (the embedded default). Logs every share and a status line.\n\n",
    {
        {"url", 'o', true, true,
         "pool URL (repeatable, in priority order): stratum+tcp://HOST:PORT, stratum+ssl://…, "
         "or Stratum V2 as stratum2+tcp://HOST:PORT/AUTHORITY_PUBKEY; none: the built-in "
         "local pool"},
        {"user", 'u', true, true, "worker name for the pool given before it"},
        {"pass", 'p', true, true, "password for the pool given before it"},
        {"tls-ca", 0, true, false,
         "PEM file of the CA(s) TLS pools' certificates must chain to (default: the "
         "system's store); the name in the URL must match the certificate"},
        {"tls-fingerprint", 0, true, false,
         "pin TLS pools to the certificate with this SHA-256 (64 hex digits, colons "
         "allowed, as `openssl x509 -noout -fingerprint -sha256` prints it); any issuer"},
        {"tls-insecure", 0, false, false,
         "do not check TLS pools' certificates at all (a lab only: logged as a warning)"},
        {"board", 'b', true, true, kRunBoards},
        {"chip", 0, true, false,
         "chip model: BM1397, BM1366, BM1368, BM1370 (default BM1370; BM1368 on sim boards)"},
        {"chips", 0, true, false,
         "chips per chain (default 4 on sim: a slice of an S21 chain; 1 otherwise)"},
        {"frequency", 0, true, false, "chip frequency in MHz (default: the model's)"},
        kAvalonFrequency,
        kAvalonVoltageLevel,
        {"voltage", 0, true, false,
         "core voltage in volts for boards whose regulator the host drives (bitaxe:, sim): "
         "default the model's (BM1397 1.40, BM1366 1.20, BM1368 1.166, BM1370 1.15); "
         "1.00 to 0.15 above the default"},
        {"ticket-difficulty", 0, true, false,
         "difficulty chips report nonces at (default: chosen from the chain's rate, 64 "
         "nonces/s, 1 at the least on real chips; below 1 only for simulated chips)"},
        {"cpu-rate", 0, true, false,
         "real hashes per second a simulated board may compute (default 2e7)"},
        {"pool-difficulty", 0, true, false, "difficulty of the built-in pool (default 0.002)"},
        {"probe-interval", 0, true, false,
         "seconds between probes of higher-priority pools while failed over (default 60)"},
        {"sim-ambient", 0, true, false, "ambient temperature of simulated boards, °C (default 25)"},
        {"api-listen", 0, true, false,
         "[ADDRESS:]PORT for the cgminer API (default off); a port alone listens on "
         "127.0.0.1 only: 0.0.0.0:4028 for every IPv4 interface, [::]:4028 for IPv6 too"},
        {"metrics-listen", 0, true, false,
         "[ADDRESS:]PORT for Prometheus /metrics (default off; addresses as --api-listen)"},
        {"http-listen", 0, true, false,
         "[ADDRESS:]PORT for the web dashboard, its REST API (/api/v1/) and /metrics "
         "(default off; addresses as --api-listen)"},
        {"http-password-hash", 0, true, false,
         "the dashboard's password, hashed: set it with `hashrig passwd --config FILE` "
         "(none: the page only reads; changes also need --api-allow W:)"},
        {"api-allow", 0, true, false,
         "who may use the API: W:NET/BITS (privileged), R:NET/BITS or NET/BITS, "
         "comma-separated (default: read-only from loopback)"},
        {"duration", 0, true, false,
         "stop after this many seconds (default: run until SIGINT/SIGTERM)"},
        {"status-interval", 0, true, false, "seconds between status lines (default 5)"},
        kLogLevel,
        {"config", 'c', true, false,
         "JSON file of these options (docs/CONFIG.md); the command line wins"},
        {"print-config", 0, false, false, "print the effective configuration as JSON and exit"},
        kHelp,
    },
    &RunMiner,
    &ParseRunArgs};

const Command kScanCommand{
    "scan", "list USB bridges, serial devices, and the chips or modules of each --board",
    "usage: hashrig scan [--board SPEC]... [--chip MODEL] [--chips N]\n\n"
    "Lists what is attached, and for each --board its chain's chips (or, for a board\n"
    "running hashrig firmware, what the board reports; for Canaan MM modules, the AUC\n"
    "and each module's id, DNA, firmware, miners, chips, clock and temperature).\n\n",
    kToolOptions, &RunScan};

const Command kRigsCommand{
    "rigs",
    "list the rigs hashrig models and at which level (wire or power only)",
    "usage: hashrig rigs\n\n"
    "Lists the rig profiles (hal/sim/rigs.h): maker, nominal TH/s and J/TH, hash boards\n"
    "and chips, and how each is modelled — BM13xx or Avalon at the wire level, or, where\n"
    "no host-to-hashboard protocol is public (Canaan's boxes from the 1026 on and the\n"
    "Nano 3/3S, MicroBT, Auradine), as a power-level model only.\n\n",
    {kHelp},
    &RunRigs};

const Command kBoardTestCommand{
    "board-test", "known-answer work to every chip or Avalon module of a board: pass/fail",
    "usage: hashrig board-test --board SPEC [--chip MODEL] [--chips N]\n\n"
    "Sends the ESP-Miner self-test job so that each chip in turn finds its golden nonce\n"
    "(0x0a029ed1) and prints PASS or FAIL per chip. Canaan MM modules (avalon:, auc:)\n"
    "each in turn get real block 542213's job starting at its extranonce2 and must send\n"
    "back its nonce (0x01e39613), with no nonce the host's hash refutes. Exits 0 only if\n"
    "every expected chip or module passed.\n\n",
    kToolOptions, &RunBoardTest};

const Command kFlashCommand{
    "flash",
    "update the firmware of a board running hashrig firmware (cannot brick it)",
    "usage: hashrig flash --board SPEC IMAGE\n\n"
    "Updates a board running hashrig firmware: checks IMAGE against the board,\n"
    "writes it to the slot not running, verifies, reboots into it on trial and\n"
    "confirms it once the board runs it. A board that does not come back with the\n"
    "new version rolls back to the old one by itself.\n\n",
    {
        {"board", 'b', true, false,
         "the board: serial:PATH[@BAUD], tcp:HOST:PORT or usb:VID:PID[#SERIAL]"},
        {"no-reboot", 0, false, false, "write, verify and commit, but leave the reboot for later"},
        {"timeout", 0, true, false, "seconds to wait for the board to come back (default 30)"},
        kHelp,
    },
    &RunFlash};

const Command kImageCommand{
    "image",
    "make or check a firmware image for `hashrig flash`",
    "usage: hashrig image create --board-id ID --version N -o IMAGE BODY\n"
    "       hashrig image show IMAGE\n\n"
    "Makes a firmware image (header: board id, version, size, SHA-256 of BODY) for\n"
    "`hashrig flash`, or checks and describes one.\n\n",
    {
        {"board-id", 0, true, false, "the board id: 4 characters (HSIM, M386) or a 0x… number"},
        {"version", 0, true, false, "the image version, a whole number"},
        {"out", 'o', true, false, "the image file to write"},
        kHelp,
    },
    &RunImage};

const Command kPoolCommand{
    "pool",
    "run a local Stratum V1 (and V2) pool that validates every share",
    "usage: hashrig pool [--listen ADDRESS:PORT] [--difficulty D] [OPTIONS]\n\n"
    "A small Stratum pool: jobs from a synthetic block template, version rolling,\n"
    "every share validated; with --sv2-listen, Stratum V2 on a second port (standard and\n"
    "extended channels). Prints 'listening on ADDRESS:PORT' when ready; runs\n"
    "until SIGINT or SIGTERM, then prints what it accepted.\n\n",
    {
        {"listen", 'l', true, false,
         "ADDRESS:PORT to listen on (default 127.0.0.1:3333; port 0 = any)"},
        {"difficulty", 'd', true, false, "share difficulty, fractional allowed (default 0.002)"},
        {"job-interval", 0, true, false, "seconds between new jobs (default 30)"},
        {"block-interval", 0, true, false, "seconds between simulated new blocks (default 600)"},
        {"payout-script", 0, true, false, "coinbase output script as hex (default 51, OP_TRUE)"},
        {"version-mask", 0, true, false, "version bits miners may roll, hex (default 1fffe000)"},
        {"extranonce2-size", 0, true, false, "extranonce2 bytes, 1..16 (default 4)"},
        {"tls-cert", 0, true, false, "PEM certificate chain: serve stratum+ssl"},
        {"tls-key", 0, true, false, "PEM private key for --tls-cert"},
        {"sv2-listen", 0, true, false,
         "ADDRESS:PORT to serve Stratum V2 on too (Noise; prints its stratum2+tcp URL)"},
        {"sv2-authority-key", 0, true, false,
         "FILE with the V2 authority secret key (hex; made if missing; default: new each run)"},
        {"stats-interval", 0, true, false,
         "seconds between share statistics in the log (default 60)"},
        kLogLevel,
        kHelp,
    },
    &RunPool};

const Command kSimCommand{
    "sim",
    "expose a simulated BM13xx chain or Avalon modules on a PTY or TCP port",
    "usage: hashrig sim [--model M] [--chips N] [--pty [--link PATH] | --listen ADDRESS:PORT]\n"
    "                   [--cpu-rate H/s] [--record FILE] [FAULTS]\n"
    "       hashrig sim --avalon GEN [--modules N] [--auc] [--pty [--link PATH] |\n"
    "                   --listen ADDRESS:PORT] [--cpu-rate H/s] [AVALON FAULTS]\n\n"
    "Runs a simulated BM13xx chain — or, with --avalon, 1..6 Canaan Avalon modules of\n"
    "generation 7, 8, lc3 or 10 speaking 40-byte CN packets (OPT = module id), or the\n"
    "AUC's requests with --auc — that answers the real wire protocol and finds real\n"
    "nonces. Prints 'pty PATH' or 'listening on ADDRESS:PORT' when ready, and runs\n"
    "until SIGINT or SIGTERM.\n\n",
    {
        {"model", 'm', true, false,
         "chip model: BM1397, BM1366, BM1368 or BM1370 (default BM1370)"},
        {"chips", 'n', true, false, "chips on the chain, 1..256 (default 1)"},
        {"pty", 0, false, false, "expose the chain on a pseudo-terminal (the default)"},
        {"link", 0, true, false,
         "also make PATH a symlink to the PTY (a stable name across restarts)"},
        {"listen", 'l', true, false, "ADDRESS:PORT: expose the chain on TCP instead"},
        {"control-link", 0, true, false,
         "also a bitaxe-raw control port on a second PTY linked at PATH: an EMC2101 (fan, "
         "temperature) on a board the chain heats, and the TPS546 the chips are powered "
         "by (silent until the host turns it on) (with --link; for --board "
         "bitaxe:DATA:CONTROL)"},
        {"ambient", 0, true, false, "ambient temperature of that board, °C (default 25)"},
        {"cpu-rate", 0, true, false,
         "real hashes per second the whole chain may compute (default 4e6)"},
        {"dead-chip", 0, true, true, "chain position of a chip that never answers (repeatable)"},
        {"bad-nonce-chip", 0, true, true,
         "chain position of a chip reporting bad nonces (repeatable)"},
        {"corrupt", 0, true, false,
         "probability that a byte to the host is corrupted (Avalon: a reply's CRC fails)"},
        {"drop", 0, true, false, "probability that a response is lost"},
        {"delay-ms", 0, true, false, "delay of every response, milliseconds"},
        {"ignore-rate-switch", 0, false, false,
         "the chips stay at 115,200 baud whatever the host asks (a fast UART clock that does "
         "not come up)"},
        {"seed", 0, true, false, "random seed for faults (default 1)"},
        {"sensor-glitch-every", 0, true, false,
         "N: every Nth EMC2101 temperature reading is a 0 °C glitch (with --control-link; "
         "each is logged)"},
        {"record", 0, true, false,
         "write both directions of the chain's link, with times and rates, to FILE (a chip "
         "capture for `hashrig replay`)"},
        {"avalon", 0, true, false,
         "GEN: Avalon modules instead of a BM13xx chain: 7, 8, lc3 or 10 (also avalon8, 741, "
         "851, 1041)"},
        {"modules", 0, true, false, "Avalon modules on the bus, 1..6 (default 1)"},
        {"auc", 0, false, false, "the modules behind a simulated AUC (its requests, not raw CN)"},
        {"avalon-model", 0, true, false,
         "the model the modules' version string starts with (default 741, 851, LC3 or 1041)"},
        {"garbage", 0, true, false, "probability that garbage comes with an Avalon reply"},
        {"bad-nonce-module", 0, true, true,
         "position (0-based) of an Avalon module whose nonces fail the target (repeatable)"},
        {"outage", 0, true, true,
         "MODULE:FROM:UNTIL: an Avalon module absent from FROM to UNTIL seconds, then back "
         "at power-on (repeatable)"},
        kHelp,
    },
    &RunSim};

const Command kReplayCommand{
    "replay",
    "replay a chip capture through the BM13xx decoders, re-hashing every nonce",
    "usage: hashrig replay [--quiet | --json | --driver] FILE\n\n"
    "Reads a chip capture (written by `hashrig sim --record FILE`, or by hand from a UART\n"
    "log: '# hashrig chip capture 1', 'model M', 'chips N', then one line per burst:\n"
    "MICROSECONDS >|< BAUD HEX, '>' to the chips) and replays it through the decoders the\n"
    "driver uses: every frame in words, every nonce matched to the job frame it names and\n"
    "re-hashed (version with its rolled bits, share difficulty, the ticket it met).\n"
    "Exits 0 when every nonce met its ticket, 1 when one did not or the file is bad, 2 on\n"
    "a usage error.\n\n",
    {
        {"quiet", 'q', false, false, "only the summary line"},
        {"json", 0, false, false, "only the summary, as one JSON object (for scripts)"},
        {"driver", 0, false, false,
         "replay against the driver itself: it takes the recorded jobs as its work and the "
         "chips' recorded bytes as its input (header-job models)"},
        kHelp,
    },
    &RunReplay};

const Command kPasswdCommand{
    "passwd",
    "set the web dashboard's password (kept hashed in the config file)",
    "usage: hashrig passwd --config FILE\n"
    "       hashrig passwd --print\n\n"
    "Reads the new password from standard input (asked twice, without echo, on a\n"
    "terminal; one line otherwise) and writes its PBKDF2-SHA256 hash as\n"
    "\"http-password-hash\" into FILE, the JSON configuration `hashrig run --config`\n"
    "reads (created if missing; its other settings are kept). A running miner takes\n"
    "it at its next start. With --print, prints the hash instead.\n\n",
    {
        {"config", 'c', true, false, "the configuration file to write the hash into"},
        {"print", 0, false, false, "print the hash on standard output, write nothing"},
        kHelp,
    },
    &RunPasswd};

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      kBenchCommand, kHashCommand,  kRunCommand,  kScanCommand, kRigsCommand,   kBoardTestCommand,
      kFlashCommand, kImageCommand, kPoolCommand, kSimCommand,  kReplayCommand, kPasswdCommand};
  return kCommands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& command : Commands()) {
    if (command.name == name) {
      return &command;
    }
  }
  return nullptr;
}

}  // namespace hashrig::host
