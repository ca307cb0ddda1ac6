-- isrc-registry schema version 40 (PostgreSQL): the common allocation in one statement.
--
-- Allocators of one prefix-year queue on its counter row, whose lock is held until the
-- transaction commits. With the statements sent one by one (BEGIN, the counter, the
-- duplicate check, the insert, COMMIT), every round trip after the counter (and the wait for
-- the server process to be scheduled again, on a loaded machine) was spent holding that lock.
-- isrc_allocate does it all in one call, sent outside an explicit transaction: the lock is held
-- only while the function runs and the commit is flushed. And one call serves a group of
-- requests (those that arrived while the previous call ran, store/group.rs): one commit, one
-- flush of the write-ahead log, for all of them.
--
-- Each request takes the fast path only: a counter row whose count and free run are known,
-- with room for all its rows, and no active recording of the prefix with one of its match keys
-- (a duplicate, or the same title with another duration). Otherwise the request is left out
-- (its row comes back with NULL designations, having changed nothing) and the program takes
-- the general path for it (a transaction of several statements, which decides and words any
-- refusal); the other requests of the group are not affected. Each statement of a PL/pgSQL
-- function reads with a fresh snapshot: the duplicate check, after the counter row's lock,
-- sees a concurrent allocation of the same recording that committed while this one waited,
-- and the requests earlier in the group. The requests are taken in (prefix, year) order, so
-- that two servers' groups lock counter rows in one order and cannot deadlock.
--
-- p_requests: a JSON array of requests {prefix, year (two digits), ranges (as the counter row
-- keeps them), code0 (Isrc::to_u64 of designation 0 of the prefix-year), actor, check (false
-- for --force), rows}; rows: one object per recording, in designation order, with the keys
-- artist, title, version, duration_ms, content_type, published, language, recording_year,
-- iswc, notes, client, parent, change_kind, status, match_key (the values the general path
-- binds). One result row per request: req (its index in p_requests), next_designation (the
-- counter after it: its codes are the n designations below) and used, or NULLs. The audit rows
-- are built as the general path builds them (store/batch.rs, recording_json_sql).
CREATE FUNCTION isrc_allocate(
    p_requests TEXT, p_origin TEXT, p_created_at TEXT, p_at TEXT, p_action TEXT
) RETURNS TABLE (req BIGINT, next_designation BIGINT, used BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    v_n BIGINT;
    v_next BIGINT;
    v_used BIGINT;
    v_keys TEXT[];
BEGIN
    FOR r IN
        SELECT e.ord - 1 AS i, e.v->>'prefix' AS prefix, (e.v->>'year')::bigint AS year,
               e.v->>'ranges' AS ranges, (e.v->>'code0')::bigint AS code0,
               e.v->>'actor' AS actor, (e.v->>'check')::boolean AS check_keys,
               e.v->'rows' AS rows
          FROM jsonb_array_elements(p_requests::jsonb) WITH ORDINALITY AS e(v, ord)
         ORDER BY 2, 3, 1
    LOOP
        req := r.i;
        next_designation := NULL;
        used := NULL;
        v_n := jsonb_array_length(r.rows);
        SELECT c.next_designation, c.used INTO v_next, v_used
          FROM counters c
         WHERE c.prefix = r.prefix AND c.year = r.year AND c.ranges = r.ranges
           AND c.used IS NOT NULL AND c.run_end IS NOT NULL
           AND c.next_designation + v_n - 1 <= c.run_end
           FOR UPDATE;
        IF NOT FOUND THEN
            RETURN NEXT;
            CONTINUE;
        END IF;
        IF r.check_keys THEN
            -- The keys first, then one probe of the (prefix, match_key) index per key: joined
            -- with the JSON directly, the planner may scan the prefix's rows instead.
            SELECT array_agg(e.v->>'match_key') INTO v_keys
              FROM jsonb_array_elements(r.rows) AS e(v);
            IF EXISTS (
                SELECT 1 FROM recordings x
                 WHERE x.prefix = r.prefix AND x.match_key = ANY (v_keys)
                   AND x.status = 'active'
            ) THEN
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;
        UPDATE counters c SET next_designation = v_next + v_n, used = v_used + v_n
         WHERE c.prefix = r.prefix AND c.year = r.year;
        WITH ins AS (
            INSERT INTO recordings (code, isrc, prefix, year, designation, artist, title,
                version, duration_ms, content_type, published, language, recording_year,
                iswc, notes, client, parent, change_kind, status, void_reason, origin,
                match_key, created_at)
            SELECT r.code0 + d.designation,
                   r.prefix || lpad(r.year::text, 2, '0') || lpad(d.designation::text, 5, '0'),
                   r.prefix, r.year, d.designation,
                   d.v->>'artist', d.v->>'title', d.v->>'version',
                   (d.v->>'duration_ms')::bigint, d.v->>'content_type', d.v->>'published',
                   d.v->>'language', (d.v->>'recording_year')::bigint, d.v->>'iswc',
                   d.v->>'notes', d.v->>'client', d.v->>'parent', d.v->>'change_kind',
                   d.v->>'status', NULL, p_origin, d.v->>'match_key', p_created_at
              FROM (SELECT e.v, v_next + e.ord - 1 AS designation
                      FROM jsonb_array_elements(r.rows) WITH ORDINALITY AS e(v, ord)) AS d
            RETURNING *
        )
        INSERT INTO audit (at, actor, action, subject, after)
        SELECT p_at, r.actor, p_action, ins.isrc, json_build_object(
                   'isrc', ins.isrc, 'artist', ins.artist, 'title', ins.title,
                   'version', ins.version, 'duration_ms', ins.duration_ms,
                   'content_type', ins.content_type, 'published', ins.published,
                   'language', ins.language, 'recording_year', ins.recording_year,
                   'iswc', ins.iswc, 'notes', ins.notes, 'client', ins.client,
                   'parent', ins.parent, 'change', ins.change_kind, 'status', ins.status,
                   'void_reason', ins.void_reason, 'origin', ins.origin,
                   'created_at', ins.created_at)::text
          FROM ins ORDER BY ins.code;
        next_designation := v_next + v_n;
        used := v_used + v_n;
        RETURN NEXT;
    END LOOP;
END
$$;
