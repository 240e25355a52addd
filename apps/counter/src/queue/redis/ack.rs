//! Acknowledging: `XACK`, then `XTRIM MINID` of what every group is done with, in one script.

use redis::Cmd;

use super::GROUP;

/// Acknowledges ARGV[2..] for group ARGV[1] of stream KEYS[1], then trims the entries every
/// group is done with: those before its oldest pending entry or, with none pending, up to its
/// last delivered one. One atomic step on one key (so cluster-safe); trimming whole stream
/// nodes is far cheaper than deleting entries one by one (XDEL), and XLEN stays the depth.
const ACK_AND_TRIM: &str = r#"
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local keep_ms, keep_seq
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  local ms, seq
  local pending = redis.call('XPENDING', KEYS[1], info['name'])
  if pending[2] then
    ms, seq = parse(pending[2])
  else
    ms, seq = parse(info['last-delivered-id'])
    seq = seq + 1
  end
  if keep_ms == nil or ms < keep_ms or (ms == keep_ms and seq < keep_seq) then
    keep_ms, keep_seq = ms, seq
  end
end
if keep_ms == nil then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', keep_ms, keep_seq))
"#;

/// The command that acknowledges `receipts` of `stream` and trims what no group still needs.
pub(super) fn ack_and_trim(stream: &str, receipts: &[String]) -> Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(ACK_AND_TRIM)
        .arg(1)
        .arg(stream)
        .arg(GROUP)
        .arg(receipts);
    cmd
}
