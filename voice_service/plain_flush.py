"""Writing a session's pending rows with Core statements, where the unit of work costs more than the writes.

An answered text inserts an answer (and its theme tags) and updates its invitation. The ORM's
unit of work (sorting dependencies, walking attribute history, per-object bookkeeping) cost
more CPU than sending those statements: about a quarter of a text's time on the server.
flush_plainly writes such "plain" changes with Core statements, parents before children, and
leaves the objects persistent in the session exactly as a flush would. Anything it does not
handle (a delete, a many-to-many, a collection holding rows it is not writing, a mapper with
inheritance) makes it write nothing and say so: the ORM's own flush then does it all.

On PostgreSQL, insert_row_with_pending goes one step further for the common text: the new
answer, the invitation's new state and the stored message in one statement (data-modifying
CTEs), one round trip instead of three. On SQLite, where one writer at a time holds the
database, prepare_insert_with_pending works the statements out (defaults, encryption, the
driver's values) before the writer's turn, so the turn holds only the statements themselves.

Same rows as the ORM would write: column defaults and onupdate values are applied (received_at,
updated_at), foreign keys come from the many-to-one relationships set on the objects, and the
constraints (a current answer already saved elsewhere) raise the same IntegrityError.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

_INSERTS: dict[Any, Any] = {}  # table -> its insert statement, built once
_UPDATES: dict[Any, Any] = {}  # (table, guard columns) -> its update-by-primary-key statement, built once
_COMBINED: dict[tuple, Any] = {}  # the shape of a one-statement write -> its statement, built once
_TABLE_ORDER: dict[Any, dict] = {}  # metadata -> {table: position, parents first}


class StaleRow(Exception):
    """A guarded update found its row changed since it was read: nothing should be committed."""


class _Pending(NamedTuple):
    new: list  # InstanceStates, parents first
    dirty: list


def _pending(session: Session) -> _Pending | None:
    """The session's pending changes, if all of them are plain (None: leave them to the ORM)."""
    if session.deleted:
        return None
    new = {id(obj): inspect(obj) for obj in session.new}
    dirty = [inspect(obj) for obj in session.dirty if session.is_modified(obj)]
    if not all(_plain(state, new) for state in (*new.values(), *dirty)):
        return None
    return _Pending(sorted(new.values(), key=_parents_first), dirty)


def flush_plainly(session: Session, *, unless_changed: dict | None = None) -> bool:
    """Write the session's pending inserts and updates with Core, or nothing (False).

    True: everything pending was written and the session has nothing left to flush. False:
    nothing was written; the caller's flush or commit writes it all as usual.
    `unless_changed` ({object: {column key: value as read}}) guards those objects' updates: the
    row is updated only if it still holds those values, else StaleRow (roll back). With it, an
    object that is not plain raises StaleRow too rather than leave its update unguarded.
    """
    pending = _pending(session)
    if pending is None:
        if unless_changed:
            raise StaleRow("not plain: the guarded update is left to the caller")
        return False
    _write_pending(session, pending, unless_changed)
    return True


def _write_pending(session: Session, pending: _Pending, unless_changed: dict | None = None) -> None:
    if not pending.new and not pending.dirty:
        return
    connection = session.connection()
    with session.no_autoflush:  # reading a parent's expired key must not flush these rows first
        for state in pending.new:
            _insert(session, connection, state)
        for state in pending.dirty:
            _update(session, connection, state, (unless_changed or {}).get(state.obj()))


def insert_row(session: Session, table, values: dict) -> Any:
    """Insert one row with Core (column defaults applied) and return its primary key."""
    return session.connection().execute(_insert_statement(table), values).scalar_one()


def insert_row_with_pending(session: Session, table, values: dict, *, unless_changed: dict | None = None) -> Any:
    """Insert one row, and write the session's pending plain changes with it; return its key.

    PostgreSQL: one statement, the pending rows as data-modifying CTEs (one round trip instead
    of one per row; a new row under a new parent takes the parent's key from its CTE).
    Otherwise, and for guarded updates (`unless_changed`, see flush_plainly), the pending
    changes go first, one statement each (or, if not plain, in the ORM's flush at commit), then
    the row.
    """
    pending = _pending(session)
    if pending is None:
        if unless_changed:
            raise StaleRow("not plain: the guarded update is left to the caller")
    elif not unless_changed and _one_statement_fits(session, pending):
        with session.no_autoflush:
            return _write_in_one_statement(session, table, values, pending)
    else:
        _write_pending(session, pending, unless_changed)
    return insert_row(session, table, values)


def _insert_statement(table):
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = table.insert().returning(*table.primary_key.columns)
    return statement


def _parents_first(state) -> int:
    table = state.mapper.local_table
    order = _TABLE_ORDER.get(table.metadata)
    if order is None:
        order = _TABLE_ORDER[table.metadata] = {t: n for n, t in enumerate(table.metadata.sorted_tables)}
    return order[table]


def _plain(state, new: dict) -> bool:
    """Whether this object's changes are rows and foreign keys only, which Core can write."""
    mapper = state.mapper
    if mapper.inherits is not None or mapper.version_id_col is not None or len(mapper.tables) != 1:
        return False
    changed = state.dict.keys() if state.key is None else state.committed_state.keys()
    for rel in mapper.relationships:
        if rel.key not in changed:
            continue
        if rel.secondary is not None or rel.post_update:
            return False
        if rel.direction is ONETOMANY:
            # plain when each row added to the collection is a new row pointing back at this one
            history = state.attrs[rel.key].history
            if history.deleted or not all(
                id(m) in new and inspect(m).dict.get(rel.back_populates) is state.obj() for m in history.added
            ):
                return False
        elif rel.direction is not MANYTOONE:
            return False
    return True


def _column_values(state, keys) -> dict:
    mapper = state.mapper
    values = {}
    for key in keys:
        prop = mapper.attrs.get(key)
        if prop is None:
            continue
        if hasattr(prop, "columns"):
            values[prop.columns[0].key] = state.dict[key]
        elif prop.direction is MANYTOONE:  # the parent's key (a new parent is written first)
            parent = state.dict[key]
            for local, remote in prop.local_remote_pairs:
                values[local.key] = None if parent is None else getattr(
                    parent, inspect(parent).mapper.get_property_by_column(remote).key)
    return values


def _insert(session: Session, connection, state) -> None:
    table = state.mapper.local_table
    primary_key = connection.execute(_insert_statement(table), _column_values(state, list(state.dict))).one()
    _set_primary_key(state, primary_key)
    _as_written(session, state)


def _set_primary_key(state, primary_key) -> None:
    mapper, obj = state.mapper, state.obj()
    for column, value in zip(mapper.primary_key, primary_key):
        setattr(obj, mapper.get_property_by_column(column).key, value)


def _changed_values(state) -> dict:
    return _column_values(state, [k for k in state.committed_state if k in state.mapper.attrs])


def _update(session: Session, connection, state, as_read: dict | None = None) -> None:
    mapper, table = state.mapper, state.mapper.local_table
    values = _changed_values(state)
    if values:  # only a collection changed: its rows carry the change (as in a flush)
        guard = tuple(sorted(as_read or ()))
        statement = _UPDATES.get((table, guard))
        if statement is None:
            statement = _UPDATES[(table, guard)] = _update_by_key(mapper, guard)
        result = connection.execute(statement, values | _key_and_as_read(state, as_read))
        if result.rowcount != 1:
            if as_read:
                raise StaleRow(f"{table.name}: the row changed since it was read")
            raise RuntimeError(f"{table.name}: expected to update one row, updated {result.rowcount}")  # pragma: no cover
    _as_written(session, state)


def _update_by_key(mapper, guard: tuple):
    """UPDATE of one row by its primary key; with `guard` column keys, only while they hold the
    values read (parameters from _key_and_as_read)."""
    table = mapper.local_table
    return table.update().where(
        *(column == bindparam(f"pk_{n}", type_=column.type) for n, column in enumerate(mapper.primary_key)),
        *(table.c[key] == bindparam(f"as_read_{key}", type_=table.c[key].type) for key in guard))


def _key_and_as_read(state, as_read: dict | None) -> dict:
    keys = {f"pk_{n}": value for n, value in enumerate(state.mapper.primary_key_from_instance(state.obj()))}
    return keys | {f"as_read_{key}": value for key, value in (as_read or {}).items()}


def _as_written(session: Session, state) -> None:
    """Persistent and clean, as a flush leaves it: what it holds is what the row holds, and
    what it does not hold (defaults filled in by Core, onupdate times) is read on next use."""
    # The session's own step after a flush has written rows (SQLAlchemy 2.0, pinned): identity
    # key, nothing pending, and known to the transaction, so a rollback expunges a new row and
    # expires a changed one exactly as it would after a flush.
    obj = state.obj()  # a strong reference: the session lets go of a new row's here
    (session() if isinstance(session, scoped_session) else session)._register_persistent({state})
    stale = state.unloaded | _onupdate_keys(state.mapper)
    if stale:
        session.expire(obj, stale)


_ONUPDATE: dict[Any, frozenset] = {}


def _onupdate_keys(mapper) -> frozenset:
    keys = _ONUPDATE.get(mapper)
    if keys is None:
        keys = _ONUPDATE[mapper] = frozenset(
            prop.key for prop in mapper.column_attrs if prop.columns[0].onupdate is not None)
    return keys


# PostgreSQL: everything in one statement ------------------------------------------------------

def _one_statement_fits(session: Session, pending: _Pending) -> bool:
    """PostgreSQL runs data-modifying CTEs. Every key must be a single column, and a new row
    whose parent is new too takes the parent's key from the parent's CTE, so the parent must
    be in another table (written in an earlier CTE)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    for state in (*pending.new, *pending.dirty):
        if len(state.mapper.primary_key) != 1:
            return False
    new = {id(state.obj()): state for state in pending.new}
    for state in pending.new:
        for rel in state.mapper.relationships:
            parent = new.get(id(state.dict.get(rel.key))) if rel.direction is MANYTOONE else None
            if parent is not None and parent.mapper.local_table is state.mapper.local_table:
                return False
    return True


def _keys_from_new_parents(state, position: dict) -> dict:
    """{foreign key column: (the new parent's position, its key column)} for a new row."""
    refs = {}
    for rel in state.mapper.relationships:
        if rel.direction is MANYTOONE and id(state.dict.get(rel.key)) in position:
            for local, remote in rel.local_remote_pairs:
                refs[local.key] = (position[id(state.dict[rel.key])], remote.key)
    return refs


def _new_row(state, position: dict) -> tuple[dict, dict]:
    """A new row's values (defaults filled in) but the keys of new parents, and where those come
    from (see _keys_from_new_parents)."""
    columns = _with_defaults(state.mapper.local_table, _column_values(state, list(state.dict)), inserting=True)
    refs = _keys_from_new_parents(state, position)
    for key in refs:
        columns.pop(key, None)
    return columns, refs


def _changed_row(state) -> dict:
    """A changed row's new values, onupdate values filled in; empty when only a collection changed
    (its rows carry the change, as in a flush)."""
    changed = _changed_values(state)
    return _with_defaults(state.mapper.local_table, changed, inserting=False) if changed else {}


def _write_in_one_statement(session: Session, table, values: dict, pending: _Pending) -> Any:
    """WITH w0 AS (INSERT ...), w1 AS (INSERT ... VALUES ((SELECT id FROM w0), ...)), w2 AS
    (UPDATE ...) INSERT INTO table ... RETURNING its key, each new row's key and each update's
    count. Defaults are filled in here: Core applies them to the outer statement only."""
    parts, params = [], {}
    position = {id(state.obj()): n for n, state in enumerate(pending.new)}  # parents first
    for state in pending.new:
        columns, refs = _new_row(state, position)
        n = len(parts)
        parts.append(("insert", state.mapper.local_table, tuple(sorted(columns)), tuple(sorted(refs.items()))))
        params.update({f"w{n}_{k}": v for k, v in columns.items()})
    updated = []
    for state in pending.dirty:
        columns = _changed_row(state)
        if not columns:
            continue
        n = len(parts)
        parts.append(("update", state.mapper.local_table, tuple(sorted(columns)), ()))
        params.update({f"w{n}_{k}": v for k, v in columns.items()})
        params[f"w{n}_pk"] = state.mapper.primary_key_from_instance(state.obj())[0]
        updated.append(state)
    row_values = _with_defaults(table, values, inserting=True)
    params.update({f"row_{k}": v for k, v in row_values.items()})
    shape = (table, tuple(sorted(row_values)), tuple(parts))
    statement = _COMBINED.get(shape)
    if statement is None:
        statement = _COMBINED[shape] = _combined_statement(*shape)
    row = session.connection().execute(statement, params).one()
    for state, primary_key in zip(pending.new, row[1:]):
        _set_primary_key(state, (primary_key,))
    counts = row[1 + len(pending.new):]
    if any(count != 1 for count in counts):  # pragma: no cover - a row read in this transaction is gone
        raise RuntimeError(f"expected to update one row each, updated {list(counts)}")
    for state in (*pending.new, *pending.dirty):
        _as_written(session, state)
    return row[0]


def _combined_statement(table, row_keys: tuple, parts: tuple):
    ctes, returning = [], [*table.primary_key.columns]
    for n, (kind, part_table, keys, refs) in enumerate(parts):
        (key_column,) = part_table.primary_key.columns
        columns = {k: bindparam(f"w{n}_{k}", type_=part_table.c[k].type) for k in keys}
        for key, (parent, parent_key) in refs:  # a new parent's key, from its CTE
            columns[key] = select(ctes[parent].c[parent_key]).scalar_subquery()
        if kind == "insert":
            cte = part_table.insert().values(columns).returning(key_column).cte(f"w{n}")
            returning.append(select(cte.c[key_column.key]).scalar_subquery())
        else:
            cte = (part_table.update().where(key_column == bindparam(f"w{n}_pk", type_=key_column.type))
                   .values(columns).returning(key_column).cte(f"w{n}"))
            returning.append(select(func.count()).select_from(cte).scalar_subquery())
        ctes.append(cte)
    columns = {k: bindparam(f"row_{k}", type_=table.c[k].type) for k in row_keys}
    return table.insert().values(columns).add_cte(*ctes).returning(*returning)


def _with_defaults(table, values: dict, *, inserting: bool) -> dict:
    """Python-side column defaults (inserting) or onupdate values (updating) for the columns
    not given. Only context-free ones exist in this schema (utcnow, constants)."""
    values = dict(values)
    for key, default in _defaults(table, inserting):
        if key not in values:
            values[key] = default.arg if default.is_scalar else default.arg(None)
    return values


_DEFAULTS: dict[tuple, list] = {}


def _defaults(table, inserting: bool) -> list:
    found = _DEFAULTS.get((table, inserting))
    if found is None:
        found = []
        for column in table.columns:
            default = column.default if inserting else column.onupdate
            if default is None or (inserting and column.primary_key):
                continue
            if not (default.is_scalar or default.is_callable):  # pragma: no cover - none in this schema
                raise TypeError(f"{table.name}.{column.key}: a SQL default cannot be written as a value")
            found.append((column.key, default))
        _DEFAULTS[(table, inserting)] = found
    return found


# SQLite: the statements worked out before the writer's turn -------------------------------------

class _NewKey(NamedTuple):
    """In a prepared row: the key of the write's new row at `position`, known once it is inserted."""
    position: int


class _Step(NamedTuple):
    sql: str
    params: list  # the driver's values, in order; a _NewKey where a new parent's key goes
    inserts: bool  # an INSERT ... RETURNING its key; else an UPDATE of one row by its key
    guarded: bool  # the UPDATE holds only if the row is as read (StaleRow otherwise)


class PreparedWrite:
    """A session's pending plain changes and one more row, as the driver's own statements and
    values. run() sends them in the caller's transaction and returns the row's key; written()
    then leaves the objects as a flush would (call it before the commit)."""

    def __init__(self, steps: list[_Step], pending: _Pending):
        self._steps, self._pending, self._keys = steps, pending, []

    def run(self, connection) -> Any:
        keys = self._keys = []
        for step in self._steps:
            params = tuple(keys[p.position] if isinstance(p, _NewKey) else p for p in step.params)
            result = connection.exec_driver_sql(step.sql, params)
            if step.inserts:
                keys.append(result.scalar_one())
            elif result.rowcount != 1:
                if step.guarded:
                    raise StaleRow("the row changed since it was read")
                raise RuntimeError(f"expected to update one row, updated {result.rowcount}")  # pragma: no cover
        return keys[-1]

    def written(self, session: Session) -> None:
        for state, key in zip(self._pending.new, self._keys):
            _set_primary_key(state, (key,))
        for state in (*self._pending.new, *self._pending.dirty):
            _as_written(session, state)


def prepare_insert_with_pending(session: Session, table, values: dict, *,
                                unless_changed: dict | None = None) -> PreparedWrite | None:
    """What insert_row_with_pending would write, prepared for a driver that takes positional
    values (SQLite's) without writing anything; None when it cannot be (changes that are not
    plain, keys of several columns, a driver that takes named values): write as usual then.
    `unless_changed` guards updates as in flush_plainly. The session must not change between
    preparing and running (the pending objects are the ones written)."""
    dialect = session.get_bind().dialect
    pending = _pending(session)
    if not dialect.positional or pending is None or len(table.primary_key.columns) != 1:
        return None
    if any(len(state.mapper.primary_key) != 1 for state in (*pending.new, *pending.dirty)):
        return None
    position = {id(state.obj()): n for n, state in enumerate(pending.new)}  # parents first
    steps = []
    with session.no_autoflush:  # reading a parent's expired key must not flush these rows first
        for state in pending.new:
            row, refs = _new_row(state, position)
            for key, (parent, parent_key) in refs.items():
                if parent_key != pending.new[parent].mapper.primary_key[0].key:
                    return None  # a reference to another column than the key the insert returns
                row[key] = _NewKey(parent)
            steps.append(_insert_step(dialect, state.mapper.local_table, row))
        for state in pending.dirty:
            changed = _changed_row(state)
            if changed:
                steps.append(_update_step(dialect, state, changed, (unless_changed or {}).get(state.obj())))
    steps.append(_insert_step(dialect, table, _with_defaults(table, values, inserting=True)))
    return PreparedWrite(steps, pending)


_RENDERED: dict[tuple, tuple] = {}  # a statement's shape -> (its SQL, its parameters' names and converters)


def _rendered(dialect, shape: tuple, build) -> tuple[str, list]:
    found = _RENDERED.get((dialect.name, shape))
    if found is None:
        compiled = build().compile(dialect=dialect)
        found = _RENDERED[(dialect.name, shape)] = (compiled.string, [
            (name, compiled.binds[name].type.bind_processor(dialect)) for name in compiled.positiontup])
    return found


def _driver_values(converters: list, params: dict) -> list:
    """The values as Core would hand them to the driver (every converter applied, None too)."""
    values = []
    for name, convert in converters:
        value = params[name]
        values.append(value if convert is None or isinstance(value, _NewKey) else convert(value))
    return values


def _insert_step(dialect, table, row: dict) -> _Step:
    keys = tuple(sorted(row))
    sql, converters = _rendered(dialect, ("insert", table, keys), lambda: table.insert().values(
        {k: bindparam(f"v_{k}", type_=table.c[k].type) for k in keys}).returning(*table.primary_key.columns))
    return _Step(sql, _driver_values(converters, {f"v_{k}": v for k, v in row.items()}), True, False)


def _update_step(dialect, state, changed: dict, as_read: dict | None) -> _Step:
    table = state.mapper.local_table
    keys, guard = tuple(sorted(changed)), tuple(sorted(as_read or ()))
    sql, converters = _rendered(dialect, ("update", table, keys, guard), lambda: _update_by_key(state.mapper, guard).values(
        {k: bindparam(f"v_{k}", type_=table.c[k].type) for k in keys}))
    params = {f"v_{k}": v for k, v in changed.items()} | _key_and_as_read(state, as_read)
    return _Step(sql, _driver_values(converters, params), False, bool(guard))
