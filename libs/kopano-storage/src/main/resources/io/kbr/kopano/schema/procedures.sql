-- The four stored procedures kopano-server (re)creates at every start (KOPANO-STORAGE.md §1.3:
-- DROP PROCEDURE IF EXISTS, then CREATE PROCEDURE). kbr's own wording of the behaviour of
-- Kopano 11's stored_procedures[]; the result-set layout is the one kopano-server reads.
--
-- Every property row, single- or multi-valued, has 14 columns:
--   1 mvcount   0 for a single value, else the number of elements
--   2 tag, 3 type
--   4..10       val_ulong, val_string, val_binary, val_double, val_longint, val_hi, val_lo;
--               multi-valued: the elements concatenated as "<length>:<value>" in orderid order
--   11 childid  0 from GetProps, the child's hierarchy.id from PrepareGetProps
--   12..14      names.nameid, names.namestring, names.guid for named properties (§3.6a)
--
-- §3.6: a named property with a server-assigned id (tag > 0x8500 = 34048) is joined to names by
-- tag - 34049 = names.id and left out when that names row is missing. tag is UNSIGNED, so the
-- subtraction needs sql_mode NO_UNSIGNED_SUBTRACTION; kopano-server creates the procedures in a
-- session with sql_mode 'STRICT_ALL_TABLES,NO_UNSIGNED_SUBTRACTION', which MySQL stores with each
-- routine, and KopanoSchema does the same.
--
-- Statements end with $$ so that the file also runs in the mariadb client.

DELIMITER $$

-- §1.3 GetBestBody: which of the two formatted bodies to keep. The lower tag wins, so
-- PR_RTF_COMPRESSED (4105) is preferred over PR_HTML (4115); 0 when the object has neither.
DROP PROCEDURE IF EXISTS GetBestBody$$
CREATE PROCEDURE GetBestBody(hid INT, OUT bestbody INT)
DETERMINISTIC
BEGIN
  -- an aggregate always yields one row, so no NOT FOUND handler is needed
  SELECT COALESCE(MIN(tag), 0) INTO bestbody
    FROM properties
   WHERE hierarchyid = hid AND tag IN (4105, 4115);
END$$

-- §1.3 GetProps: all properties of one object in a single result set, single values first
-- (columns as described above). mode chooses the bodies: 0 all of them; 1 PR_BODY plus only the
-- best of RTF/HTML (GetBestBody); any other value (2) no RTF (4105) and no HTML (4115).
DROP PROCEDURE IF EXISTS GetProps$$
CREATE PROCEDURE GetProps(IN hid INT, IN mode INT)
BEGIN
  DECLARE keep_body INT DEFAULT 0;
  IF mode = 1 THEN
    CALL GetBestBody(hid, keep_body);
  END IF;

  SELECT 0 AS mvcount, sv.tag, sv.type,
         sv.val_ulong, sv.val_string, sv.val_binary, sv.val_double, sv.val_longint, sv.val_hi, sv.val_lo,
         0 AS childid, nm.nameid, nm.namestring, nm.guid
    FROM properties AS sv
    LEFT JOIN names AS nm ON sv.tag - 34049 = nm.id
   WHERE sv.hierarchyid = hid
     AND (sv.tag <= 34048 OR nm.id IS NOT NULL)
     AND (mode = 0 OR sv.tag NOT IN (4105, 4115) OR (mode = 1 AND sv.tag = keep_body))
  -- the two halves cannot share a row (mvcount 0 vs >= 1), so UNION ALL returns what UNION would
  UNION ALL
  SELECT COUNT(*), mv.tag, mv.type,
         GROUP_CONCAT(LENGTH(mv.val_ulong), ':', mv.val_ulong ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_string), ':', mv.val_string ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_binary), ':', mv.val_binary ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_double), ':', mv.val_double ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_longint), ':', mv.val_longint ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_hi), ':', mv.val_hi ORDER BY mv.orderid SEPARATOR ''),
         GROUP_CONCAT(LENGTH(mv.val_lo), ':', mv.val_lo ORDER BY mv.orderid SEPARATOR ''),
         0, nm.nameid, nm.namestring, nm.guid
    FROM mvproperties AS mv
    LEFT JOIN names AS nm ON mv.tag - 34049 = nm.id
   WHERE mv.hierarchyid = hid
     AND (mv.tag <= 34048 OR nm.id IS NOT NULL)
   GROUP BY mv.tag, mv.type;
END$$

-- §1.3 PrepareGetProps: the properties of every direct child of hid (recipients, attachments)
-- as two result sets, single values then multi values, with the child's hierarchy.id in
-- column 11. No body filtering. As in Kopano, the multi-valued rows are grouped per (tag, type)
-- over all children together: when two children have the same multi-valued property, their
-- elements end up in one row, credited to one of the children (here the lowest id).
DROP PROCEDURE IF EXISTS PrepareGetProps$$
CREATE PROCEDURE PrepareGetProps(IN hid INT)
BEGIN
  SELECT 0 AS mvcount, sv.tag, sv.type,
         sv.val_ulong, sv.val_string, sv.val_binary, sv.val_double, sv.val_longint, sv.val_hi, sv.val_lo,
         child.id AS childid, nm.nameid, nm.namestring, nm.guid
    FROM hierarchy AS child
    JOIN properties AS sv ON sv.hierarchyid = child.id
    LEFT JOIN names AS nm ON sv.tag - 34049 = nm.id
   WHERE child.parent = hid
     AND (sv.tag <= 34048 OR nm.id IS NOT NULL);

  SELECT COUNT(*) AS mvcount, mv.tag, mv.type,
         GROUP_CONCAT(LENGTH(mv.val_ulong), ':', mv.val_ulong ORDER BY mv.orderid SEPARATOR '') AS val_ulong,
         GROUP_CONCAT(LENGTH(mv.val_string), ':', mv.val_string ORDER BY mv.orderid SEPARATOR '') AS val_string,
         GROUP_CONCAT(LENGTH(mv.val_binary), ':', mv.val_binary ORDER BY mv.orderid SEPARATOR '') AS val_binary,
         GROUP_CONCAT(LENGTH(mv.val_double), ':', mv.val_double ORDER BY mv.orderid SEPARATOR '') AS val_double,
         GROUP_CONCAT(LENGTH(mv.val_longint), ':', mv.val_longint ORDER BY mv.orderid SEPARATOR '') AS val_longint,
         GROUP_CONCAT(LENGTH(mv.val_hi), ':', mv.val_hi ORDER BY mv.orderid SEPARATOR '') AS val_hi,
         GROUP_CONCAT(LENGTH(mv.val_lo), ':', mv.val_lo ORDER BY mv.orderid SEPARATOR '') AS val_lo,
         MIN(child.id) AS childid, nm.nameid, nm.namestring, nm.guid
    FROM hierarchy AS child
    JOIN mvproperties AS mv ON mv.hierarchyid = child.id
    LEFT JOIN names AS nm ON mv.tag - 34049 = nm.id
   WHERE child.parent = hid
     AND (mv.tag <= 34048 OR nm.id IS NOT NULL)
   GROUP BY mv.tag, mv.type;
END$$

-- §1.3 StreamObj: everything kopano-server needs to stream one message (enhanced ICS export,
-- cmd.cpp). Result sets, in order:
--   GetProps(rootid, mode)                                   1 set
--   PrepareGetProps(rootid)                                  2 sets
--   the children of rootid: (id, type)                       1 set
--   then for each attachment child (type 7), in the order of that list:
--     maxdepth > 0:  its first child (id, type), LIMIT 1     1 set (empty if none)
--                    and, if there is one, StreamObj(child, maxdepth - 1, mode) (§2.3: an
--                    attachment's only child is the embedded message)
--     maxdepth = 0:  an empty (id, type) set, meaning "not recursing further"
-- The recursion needs the session variable max_sp_recursion_depth > 0 (kopano-server uses 255).
-- The child list and the attachment loop use one order, (type, flags, id): the order of the
-- parenttypeflags index that Kopano's unordered queries return in practice.
DROP PROCEDURE IF EXISTS StreamObj$$
CREATE PROCEDURE StreamObj(IN rootid INT, IN maxdepth INT, IN mode INT)
BEGIN
  DECLARE no_more_attachments BOOLEAN DEFAULT FALSE;
  DECLARE attach_id INT;
  DECLARE embedded_id INT;
  DECLARE attachments CURSOR FOR
    SELECT id FROM hierarchy WHERE parent = rootid AND type = 7 ORDER BY flags, id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET no_more_attachments = TRUE;

  CALL GetProps(rootid, mode);
  CALL PrepareGetProps(rootid);
  SELECT id, type FROM hierarchy WHERE parent = rootid ORDER BY type, flags, id;

  OPEN attachments;
  each_attachment: LOOP
    FETCH attachments INTO attach_id;
    IF no_more_attachments THEN
      LEAVE each_attachment;
    END IF;
    IF maxdepth > 0 THEN
      SELECT id, type FROM hierarchy WHERE parent = attach_id ORDER BY type, flags, id LIMIT 1;
      -- a scalar subquery gives NULL, not NOT FOUND, when the attachment has no child
      SET embedded_id = (SELECT id FROM hierarchy WHERE parent = attach_id ORDER BY type, flags, id LIMIT 1);
      IF embedded_id IS NOT NULL THEN
        CALL StreamObj(embedded_id, maxdepth - 1, mode);
      END IF;
    ELSE
      SELECT id, type FROM hierarchy WHERE parent = attach_id LIMIT 0;
    END IF;
  END LOOP each_attachment;
  CLOSE attachments;
END$$

DELIMITER ;
