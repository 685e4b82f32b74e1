/**
 * Word tables for the SQL tokenizer (our own lists, drawn from the MySQL, PostgreSQL, MSSQL, Oracle and SQLite
 * grammars). Token classes, one character each:
 *
 *   s string      n number (also NULL/TRUE/FALSE)   w bareword     v variable (@x, @@x)
 *   f function (a known SQL function name directly followed by "(")
 *   E SELECT      X a strong statement head, only ever made by folding a pair (DROP TABLE, INSERT INTO, ...)
 *   U UNION       B clause keyword (ORDER BY, GROUP BY, HAVING, LIMIT, INTO OUTFILE)
 *   | symbolic logic operator (|| &&; '&' in the rules matches both)
 *   K a statement-head keyword (DROP, INSERT, SET, EXEC, ...)   k other keyword   & logic operator (AND OR XOR && ||)   = comparison (= < > <= >= <> != <=>)   o other symbolic operator
 *   i word operator (LIKE, IN, IS...)
 *   c comment   / division (its own class: paths, URLs and scoped names in prose are full of it)
 *   ( ) , ;       punctuation
 */
export type TokenType =
  | 's'
  | 'n'
  | 'w'
  | 'v'
  | 'f'
  | 'F'
  | 'E'
  | 'X'
  | 'U'
  | 'B'
  | 'k'
  | 'K'
  | '&'
  | '|'
  | 'o'
  | '='
  | 'i'
  | 'c'
  | '/'
  | '('
  | ')'
  | ','
  | ';';

function table(type: TokenType, words: string): [string, TokenType][] {
  return words
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => [w, type]);
}

/** Single words (upper-case) that are not barewords. */
export const WORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ...table('E', 'SELECT'),
  ...table('U', 'UNION'),
  ...table('B', 'HAVING LIMIT'),
  ...table('&', 'AND OR XOR'),
  ...table('i', 'LIKE ILIKE RLIKE REGEXP DIV MOD IN IS BETWEEN NOT SOUNDS GLOB MATCH NOTNULL ISNULL COLLATE'),
  ...table('n', 'NULL'),
  ...table(
    'K',
    `DECLARE EXEC EXECUTE WAITFOR SHUTDOWN DROP CREATE ALTER TRUNCATE INSERT UPDATE DELETE REPLACE LOAD SET GRANT
     REVOKE PRINT HANDLER PREPARE DEALLOCATE RENAME KILL`,
  ),
  ...table(
    'k',
    `FROM WHERE AS TABLE INTO JOIN ON CASE WHEN THEN ELSE END DISTINCT TOP ALL ANY SOME EXISTS ASC DESC VALUES
     DELAY PROCEDURE BEGIN COMMIT ROLLBACK SHOW DESCRIBE OUTFILE DUMPFILE BINARY ORDER GROUP BY INNER OUTER LEFT
     RIGHT CROSS NATURAL STRAIGHT_JOIN USING ESCAPE OFFSET FETCH ROWNUM MYSQL DUAL CHARACTER CHARSET CONVERT CAST
     EXCEPT INTERSECT LOCK UNLOCK RETURNING OPEN CLOSE CURSOR GOTO RETURN WHILE LOOP DBMS_PIPE UTL_HTTP UTL_INADDR`,
  ),
]);

/**
 * Pairs folded into one token: "FIRST SECOND" -> type of the merged token. The first word is whatever the WORDS
 * table (or bareword) made of it; the pair replaces it.
 */
export const PAIRS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ...table('U', 'UNION_ALL UNION_DISTINCT').map(([w, t]): [string, TokenType] => [w.replace('_', ' '), t]),
  ['ORDER BY', 'B'],
  ['GROUP BY', 'B'],
  ['PARTITION BY', 'B'],
  ['INTO OUTFILE', 'X'],
  ['INTO DUMPFILE', 'X'],
  ['NOT GLOB', 'i'],
  ['PROCEDURE ANALYSE', 'B'],
  ['IS NOT', 'i'],
  ['NOT IN', 'i'],
  ['NOT LIKE', 'i'],
  ['NOT ILIKE', 'i'],
  ['NOT BETWEEN', 'i'],
  ['NOT REGEXP', 'i'],
  ['NOT RLIKE', 'i'],
  ['SOUNDS LIKE', 'i'],
  ['SIMILAR TO', 'i'],
  ['SELECT ALL', 'E'],
  ['SELECT DISTINCT', 'E'],
  ['SELECT TOP', 'E'],
  ['INSERT INTO', 'X'],
  ['INSERT IGNORE', 'X'],
  ['REPLACE INTO', 'X'],
  ['DELETE FROM', 'X'],
  ['LOAD DATA', 'X'],
  ['WAITFOR DELAY', 'X'],
  ['WAITFOR TIME', 'X'],
  ['EXEC MASTER', 'X'],
  ['EXECUTE IMMEDIATE', 'X'],
  ...['TABLE', 'DATABASE', 'SCHEMA', 'USER', 'VIEW', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'INDEX', 'LOGIN'].flatMap(
    (obj): [string, TokenType][] => [
      [`DROP ${obj}`, 'X'],
      [`CREATE ${obj}`, 'X'],
      [`ALTER ${obj}`, 'X'],
    ],
  ),
  ['TRUNCATE TABLE', 'X'],
  ...['INFORMATION_SCHEMA', 'PG_CATALOG', 'SYSOBJECTS', 'SYSCOLUMNS', 'SYSIBM', 'MSYSOBJECTS', 'MSYSACCESSOBJECTS',
    'SQLITE_MASTER', 'SQLITE_SCHEMA', 'ALL_TABLES', 'USER_TABLES', 'ALL_TAB_COLUMNS', 'PG_SHADOW', 'PG_USER',
    'SYSTABLES', 'SYSUSERS'].map((c): [string, TokenType] => [`FROM ${c}`, 'X']),
  ['SHUTDOWN WITH', 'X'],
  ['LEFT JOIN', 'k'],
  ['RIGHT JOIN', 'k'],
  ['INNER JOIN', 'k'],
  ['OUTER JOIN', 'k'],
  ['CROSS JOIN', 'k'],
  ['CHARACTER SET', 'k'],
]);

/** Known SQL functions: a token of class f when directly followed by "(". */
export const FUNCTIONS: ReadonlySet<string> = new Set(
  `SLEEP BENCHMARK PG_SLEEP CHAR CHR NCHAR CONCAT CONCAT_WS GROUP_CONCAT STRING_AGG SUBSTRING SUBSTR MID LEFT RIGHT
   ASCII ORD HEX UNHEX BIN VERSION DATABASE SCHEMA USER CURRENT_USER SYSTEM_USER SESSION_USER USER_NAME DB_NAME
   LOAD_FILE EXTRACTVALUE UPDATEXML XMLTYPE IF IFNULL ISNULL NULLIF COALESCE CAST CONVERT LENGTH LEN CHAR_LENGTH
   LOWER UPPER LCASE UCASE MD5 SHA1 SHA2 RAND RANDOM FLOOR CEIL CEILING EXP NOW SYSDATE ELT MAKE_SET FIELD FIND_IN_SET
   NAME_CONST JSON_EXTRACT JSON_KEYS ROW COUNT EXISTS RANDOMBLOB ZEROBLOB SQLITE_VERSION TYPEOF LIKELIHOOD
   UNLIKELY INSTR LOCATE POSITION REVERSE REPLACE REPEAT SPACE TRIM LTRIM RTRIM LPAD RPAD STRCMP SOUNDEX
   GEOMETRYCOLLECTION POLYGON MULTIPOINT MULTILINESTRING MULTIPOLYGON LINESTRING GTID_SUBSET ST_LATFROMGEOHASH
   UTL_INADDR.GET_HOST_NAME UTL_INADDR.GET_HOST_ADDRESS UTL_HTTP.REQUEST DBMS_PIPE.RECEIVE_MESSAGE DBMS_LOCK.SLEEP
   CTXSYS.DRITHSX.SN DBMS_XMLGEN.GETXML XP_CMDSHELL XP_DIRTREE XP_FILEEXIST SP_EXECUTESQL SP_PASSWORD OPENROWSET
   OPENQUERY OPENDATASOURCE CURRENT_DATABASE CURRENT_SCHEMA PG_READ_FILE PG_LS_DIR LO_IMPORT QUERY_TO_XML
   TO_CHAR TO_NUMBER TO_DATE DECODE NVL NVL2 CHOOSE IIF QUOTENAME SUSER_NAME SUSER_SNAME HOST_NAME OBJECT_ID
   OBJECT_NAME COL_NAME TABLE_NAME CHARINDEX PATINDEX STUFF SUBSTRING_INDEX EXPORT_SET UUID CONNECTION_ID
   LAST_INSERT_ID ROW_COUNT FOUND_ROWS INET_ATON INET_NTOA COMPRESS UNCOMPRESS AES_ENCRYPT AES_DECRYPT
   ENCODE DES_ENCRYPT PASSWORD OLD_PASSWORD ENCRYPT BIT_LENGTH OCT CONV CRC32 SIGN ABS MAX MIN SUM AVG MOD DIV POW
   POWER SIN COS TAN COT LOG LN SQRT ROUND LO_GET LO_EXPORT JSON_SEARCH JSON_ARRAY JSON_OBJECT JSON_VALID
   STARTS_WITH UNISTR OVERLAY JSONB_PRETTY JSON_BUILD_OBJECT SQLITE_COMPILEOPTION_USED SQLITE_COMPILEOPTION_GET
   EXECUTE EXEC`
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/** Barewords that act as functions even without "(" (MSSQL extended procedures, also as master..xp_x). */
export function isProcedureName(upper: string): boolean {
  return upper.startsWith('XP_') || upper.startsWith('SP_') || upper.includes('.XP_') || upper.includes('.SP_');
}

/** Statement heads that, followed by a variable, make a strong statement (DECLARE @x; not SET: "set @home"). */
export const VARIABLE_STATEMENTS: ReadonlySet<string> = new Set(['DECLARE']);

/** Statement heads that, followed by a procedure name, make a strong statement (EXEC xp_cmdshell). */
export const EXEC_STATEMENTS: ReadonlySet<string> = new Set(['EXEC', 'EXECUTE']);

/**
 * Functions that benign values practically never call but attacks do: time delays, file and network access,
 * error-based extraction, catalogue and version probes, character building. A subset of FUNCTIONS.
 */
export const ATTACK_FUNCTIONS: ReadonlySet<string> = new Set(
  `SLEEP BENCHMARK PG_SLEEP EXTRACTVALUE UPDATEXML XMLTYPE LOAD_FILE NAME_CONST GTID_SUBSET ST_LATFROMGEOHASH
   UTL_INADDR.GET_HOST_NAME UTL_INADDR.GET_HOST_ADDRESS UTL_HTTP.REQUEST DBMS_PIPE.RECEIVE_MESSAGE DBMS_LOCK.SLEEP
   CTXSYS.DRITHSX.SN DBMS_XMLGEN.GETXML XP_CMDSHELL XP_DIRTREE XP_FILEEXIST SP_EXECUTESQL OPENROWSET OPENQUERY
   OPENDATASOURCE PG_READ_FILE PG_LS_DIR LO_IMPORT LO_GET LO_EXPORT QUERY_TO_XML RANDOMBLOB SQLITE_VERSION
   SQLITE_COMPILEOPTION_USED SQLITE_COMPILEOPTION_GET GROUP_CONCAT CONCAT_WS CONCAT CHAR CHR UNHEX MAKE_SET ELT
   SUBSTRING SUBSTR ASCII ORD DATABASE CURRENT_USER SYSTEM_USER SESSION_USER DB_NAME USER_NAME SUSER_NAME
   CURRENT_DATABASE JSON_EXTRACT JSON_KEYS EXPORT_SET UNISTR`
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/** System catalogues: keywords (class k) that fold with a preceding FROM into a strong statement. */
export const CATALOGS: ReadonlySet<string> = new Set([
  'INFORMATION_SCHEMA', 'PG_CATALOG', 'SYSOBJECTS', 'SYSCOLUMNS', 'SYSIBM', 'MSYSOBJECTS', 'MSYSACCESSOBJECTS',
  'SQLITE_MASTER', 'SQLITE_SCHEMA', 'ALL_TABLES', 'USER_TABLES', 'ALL_TAB_COLUMNS', 'PG_SHADOW', 'PG_USER',
  'SYSTABLES', 'SYSUSERS',
]);
