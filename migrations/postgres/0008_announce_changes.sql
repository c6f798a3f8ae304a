-- Every audit entry is announced on the channel `readyboard_changes` when its transaction
-- commits (PostgreSQL delivers notifications only then), with the writing connection's
-- application name and the action, so that other instances on this database outdate their
-- caches and move their live pages. Sign-ins change nothing worth announcing.
CREATE FUNCTION readyboard_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.action NOT LIKE 'auth.%' THEN
    PERFORM pg_notify('readyboard_changes', current_setting('application_name') || ' ' || NEW.action);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER audit_log_announce AFTER INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION readyboard_announce_change();
