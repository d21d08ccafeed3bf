import AccordStorage
import Testing

/// Database URLs in logs: every password form libpq accepts is hidden, nothing else changes.
@Suite("DatabaseURL redaction")
struct DatabaseURLTests {
    @Test(arguments: [
        ("postgres://accord:secret@db.internal:5432/accord", "postgres://accord:***@db.internal:5432/accord"),
        ("postgresql://accord:p@ss@db/accord", "postgresql://accord:***@db/accord"),
        ("postgres://accord@db/accord", "postgres://accord@db/accord"),
        ("postgres://db/accord?user=a&password=secret&sslmode=require", "postgres://db/accord?user=a&password=***&sslmode=require"),
        ("postgres://db/accord?sslpassword=k", "postgres://db/accord?sslpassword=***"),
        ("host=db password=secret dbname=accord", "host=db password=*** dbname=accord"),
        ("host=db password='s e c\\'ret' dbname=accord", "host=db password=*** dbname=accord"),
        ("host=db  password = secret", "host=db  password = ***"),
        ("host=/var/run/postgresql dbname=accord", "host=/var/run/postgresql dbname=accord"),
        ("", ""),
    ])
    func hidesEveryPassword(url: String, expected: String) {
        #expect(DatabaseURL.redacted(url) == expected)
        #expect(!DatabaseURL.redacted(url).contains("secret"))
    }
}

/// `redis://[[user]:password@]host[:port][/db]`: what parses, into what, and what is refused.
@Suite("RedisURL parsing")
struct RedisURLTests {
    @Test(arguments: [
        ("redis://127.0.0.1", "127.0.0.1", 6379, 0, nil, nil),
        ("redis://cache.internal:6380/2", "cache.internal", 6380, 2, nil, nil),
        ("redis://:s%40cret@cache:7000", "cache", 7000, 0, nil, "s@cret"),
        ("redis://worker:pw@cache/1", "cache", 6379, 1, "worker", "pw"),
        ("redis://[::1]:6390", "::1", 6390, 0, nil, nil),
        ("redis://localhost/", "localhost", 6379, 0, nil, nil),
    ] as [(String, String, Int, Int, String?, String?)])
    func parses(text: String, host: String, port: Int, database: Int, username: String?, password: String?) throws {
        let url = try RedisURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.database == database)
        #expect(url.username == username)
        #expect(url.password == password)
    }

    @Test(arguments: [
        ("rediss://cache", "TLS"),
        ("http://cache", "only redis://"),
        ("cache:6379", "redis://"),
        ("redis://cache?db=2", "query parameters"),
        ("redis://secret@cache", "[user]:password"),
        ("redis://:@cache", "password before @ is empty"),
        ("redis://cache:99999", "not a number from 1 to 65535"),
        ("redis://cache:0", "not a number from 1 to 65535"),
        ("redis://cache/x", "not a database number"),
        ("redis://", "host is empty"),
        ("redis://[::1", "closing ]"),
        ("redis://::1", "IPv6 host in brackets"),
        ("redis://ca che", "cannot have"),
        ("redis://:%zz@cache", "%"),
    ])
    func refuses(text: String, because: String) {
        #expect {
            try RedisURL(parsing: text)
        } throws: { error in
            "\(error)".contains(because)
        }
    }

    @Test func aRefusalNeverRepeatsThePassword() {
        #expect {
            try RedisURL(parsing: "redis://:hunter2@cache:notaport")
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }

    @Test(arguments: [
        ("redis://cache", "redis://cache:6379/0"),
        ("redis://:secret@cache:6380/3", "redis://:***@cache:6380/3"),
        ("redis://us%3Aer:secret@[::1]", "redis://us%3Aer:***@[::1]:6379/0"),
    ])
    func redactsThePassword(text: String, expected: String) throws {
        let url = try RedisURL(parsing: text)
        #expect(url.redacted == expected)
        #expect("\(url)" == expected)
    }
}
