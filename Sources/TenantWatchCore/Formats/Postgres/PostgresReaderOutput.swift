/// What a format reader hands on: a complete record, or input it could not read.
///
/// One ordered stream, so an unparsed line is reported where it occurred relative to the records.
enum PostgresReaderOutput {
    case record(PostgresLogRecord)
    case unparsed(UnparsedLine)
}
