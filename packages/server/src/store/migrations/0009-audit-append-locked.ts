import { sql, type Kysely } from 'kysely';

/**
 * `perch_audit_append(heads, workspaces, recorded_ms, pieces, segment_size)`: the audit trail's
 * one append path, for both stores.
 *
 * One call is one transaction: for each workspace in the batch (`p_heads`, sorted by Perch, so
 * that two writers with overlapping batches lock heads in the same order and cannot deadlock) it locks
 * the chain head with `FOR UPDATE`, chains the workspace's events onto it, inserts them, writes a
 * checkpoint at every segment end, and moves the head. A second Perch process appending to the
 * same workspace waits for the lock and then chains onto the head this call wrote, so `seq`
 * stays gapless and every `prev_hash` is the hash of the event before it. Anything that fails
 * rolls the whole batch back: no gap, no half batch, no head that was never stored.
 *
 * Why in the store rather than in Perch: `seq`, `segment` and `time` are only known under the
 * lock, and so is the hash that covers them. Done in Perch, that is four round trips per batch
 * (begin, lock and read, insert, commit) with the lock held across them; done here it is one,
 * which is what an audited request waits for.
 *
 * Perch sends each event's canonical JSON around the three members only the lock can fill
 * (`before` and `after`, see `audit/append.ts`). In canonical (RFC 8785) order those members,
 * `segment`, `seq` and `time`, sit together between `role` and `userAgent`, so the event's
 * canonical JSON is `before ‖ "segment":S,"seq":N,"time":"T", ‖ after`, and its hash is
 * `hex(SHA-256(prev_hash ‖ canonical))` exactly as `chainHash` computes it (verification
 * recomputes every hash in Perch). The stored columns are read back from that canonical JSON,
 * so what is stored is exactly what was hashed.
 *
 * The pieces of all events travel as ONE text, `before₁ LF after₁ LF before₂ LF …`: canonical
 * JSON never holds a raw line feed (JSON writes it as the escape `\n`), so splitting on it is exact, and
 * nothing has to be escaped or parsed twice. (Measured on the embedded store, whose
 * WebAssembly parses JSON slowly: a JSON document carrying the columns and the pieces took a
 * quarter of each commit.) `p_workspaces[i]` and `p_recorded_ms[i]` belong to event `i`.
 * A checkpoint statement runs only for a batch that ends a segment.
 *
 * `time` is the later of the event's `recorded_ms` and the head's time: event times never
 * decrease within a workspace, even across processes with skewed clocks, so "older than N days"
 * is a prefix of the chain and retention stays simple.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The 0006 function stays: it has another signature, so replicas still running the earlier
  // code keep appending (its compare-and-swap on the head respects this function's row lock)
  // until they are replaced. Nothing in this code calls it.
  await sql`
    create function perch_audit_append(
      p_heads text[], p_workspaces text[], p_recorded_ms bigint[], p_pieces text, p_segment_size bigint
    ) returns integer
    language plpgsql as $$
    declare
      v_pieces text[] := string_to_array(p_pieces, E'\n');
      v_workspace text;
      v_seq bigint;
      v_first bigint;
      v_hash text;
      v_time timestamptz;
      v_canonical text;
      v_rows jsonb[];
      v_seqs bigint[];
      v_times timestamptz[];
      v_prevs text[];
      v_hashes text[];
      v_count integer := 0;
    begin
      foreach v_workspace in array p_heads loop
        select last_seq, last_hash, last_time into v_seq, v_hash, v_time
          from audit_heads where workspace_id = v_workspace for update;
        if not found then
          raise exception 'no audit head for workspace %', v_workspace;
        end if;
        v_first := v_seq + 1;
        v_rows := '{}'; v_seqs := '{}'; v_times := '{}'; v_prevs := '{}'; v_hashes := '{}';
        for i in 1 .. cardinality(p_workspaces) loop
          continue when p_workspaces[i] <> v_workspace;
          v_seq := v_seq + 1;
          v_time := greatest(v_time, timestamptz 'epoch' + p_recorded_ms[i] * interval '1 millisecond');
          v_canonical := v_pieces[2 * i - 1] || '"segment":' || ((v_seq - 1) / p_segment_size) || ',"seq":' || v_seq
            || ',"time":"' || to_char(v_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '",' || v_pieces[2 * i];
          v_prevs := v_prevs || v_hash;
          v_hash := encode(sha256(convert_to(v_hash || v_canonical, 'UTF8')), 'hex');
          v_rows := v_rows || v_canonical::jsonb;
          v_seqs := v_seqs || v_seq;
          v_times := v_times || v_time;
          v_hashes := v_hashes || v_hash;
        end loop;
        insert into audit_events (workspace_id, seq, segment, time, action, outcome, resource, code, distinct_id,
            role, env, api_key_id, origin, ip, user_agent, request_id, details, attributes, prev_hash, hash)
          select v_workspace, e.seq, (e.seq - 1) / p_segment_size, e.time, e.f->>'action', e.f->>'outcome', e.f->>'resource',
            e.f->>'code', e.f->>'distinctId', e.f->>'role', e.f->>'env', e.f->>'apiKeyId', e.f->>'origin', e.f->>'ip',
            e.f->>'userAgent', e.f->>'requestId', e.f->'details', nullif(e.f->'attributes', 'null'::jsonb), e.prev, e.hash
          from unnest(v_rows, v_seqs, v_times, v_prevs, v_hashes) as e(f, seq, time, prev, hash);
        if v_seq / p_segment_size > (v_first - 1) / p_segment_size then
          insert into audit_checkpoints (workspace_id, segment, last_seq, last_hash, created_at)
            select v_workspace, (e.seq - 1) / p_segment_size, e.seq, e.hash, e.time
            from unnest(v_seqs, v_times, v_hashes) as e(seq, time, hash) where e.seq % p_segment_size = 0;
        end if;
        update audit_heads set last_seq = v_seq, last_hash = v_hash, last_time = v_time where workspace_id = v_workspace;
        v_count := v_count + cardinality(v_rows);
      end loop;
      return v_count;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function perch_audit_append(text[], text[], bigint[], text, bigint)`.execute(db);
}
