import { sql, type Kysely } from 'kysely';

/**
 * `perch_audit_append(events, segment_size)`: the audit trail's one append path, for both stores.
 *
 * One call is one transaction: for each workspace in the batch (in sorted order, so that two
 * writers with overlapping batches lock heads in the same order and cannot deadlock) it locks
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
 * recomputes every hash in Perch).
 *
 * `time` is the later of the event's `recorded_ms` and the head's time: event times never
 * decrease within a workspace, even across processes with skewed clocks, so "older than N days"
 * is a prefix of the chain and retention stays simple.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists perch_audit_append(text, bigint, text, bigint, text, timestamptz, jsonb)`.execute(db);
  await sql`
    create function perch_audit_append(p_events jsonb, p_segment_size bigint) returns integer
    language plpgsql as $$
    declare
      v_workspace text;
      v_event jsonb;
      v_seq bigint;
      v_hash text;
      v_next text;
      v_time timestamptz;
      v_segment bigint;
      v_count integer := 0;
    begin
      for v_workspace in select distinct e->>'workspace_id' from jsonb_array_elements(p_events) as e order by 1 loop
        select last_seq, last_hash, last_time into v_seq, v_hash, v_time
          from audit_heads where workspace_id = v_workspace for update;
        if not found then
          raise exception 'no audit head for workspace %', v_workspace;
        end if;
        for v_event in
          select t.e from jsonb_array_elements(p_events) with ordinality as t(e, n)
          where t.e->>'workspace_id' = v_workspace order by t.n
        loop
          v_seq := v_seq + 1;
          v_segment := (v_seq - 1) / p_segment_size;
          v_time := greatest(v_time, timestamptz 'epoch' + (v_event->>'recorded_ms')::bigint * interval '1 millisecond');
          v_next := encode(sha256(convert_to(
            v_hash || (v_event->>'before') || '"segment":' || v_segment || ',"seq":' || v_seq
              || ',"time":"' || to_char(v_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '",'
              || (v_event->>'after'),
            'UTF8')), 'hex');
          insert into audit_events (workspace_id, seq, segment, time, action, outcome, resource, code, distinct_id,
              role, env, api_key_id, origin, ip, user_agent, request_id, details, attributes, prev_hash, hash)
            values (v_workspace, v_seq, v_segment, v_time, v_event->>'action', v_event->>'outcome', v_event->>'resource',
              v_event->>'code', v_event->>'distinct_id', v_event->>'role', v_event->>'env', v_event->>'api_key_id',
              v_event->>'origin', v_event->>'ip', v_event->>'user_agent', v_event->>'request_id', v_event->'details',
              nullif(v_event->'attributes', 'null'::jsonb), v_hash, v_next);
          if v_seq % p_segment_size = 0 then
            insert into audit_checkpoints (workspace_id, segment, last_seq, last_hash, created_at)
              values (v_workspace, v_segment, v_seq, v_next, v_time);
          end if;
          v_hash := v_next;
          v_count := v_count + 1;
        end loop;
        update audit_heads set last_seq = v_seq, last_hash = v_hash, last_time = v_time where workspace_id = v_workspace;
      end loop;
      return v_count;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function perch_audit_append(jsonb, bigint)`.execute(db);
}
