//! Stored files: one place that names, checks, writes, reads and removes them, for every
//! domain that keeps files (profile photos and petition evidence, uploaded; data export
//! archives, built by the server).
//!
//! - A file's name is random (128 bits, hex) plus the extension of its sniffed type: it
//!   never comes from the uploader, so it can name no other path and guesses find nothing.
//! - The type is read from the content's first bytes, never from the name or the declared
//!   type; each [`FileKind`] lists the types and the size it accepts.
//! - A file is written under a temporary name and renamed into place, so a reader never
//!   sees half a file. [`StoredFile`] removes it again unless the caller [`keep`]s it after
//!   the row that names it is committed; a file a row stops naming is removed after that
//!   commit ([`Storage::remove`]). A crash between the two leaves an orphan, which the
//!   `files` job removes once it is older than [`ORPHAN_GRACE`].
//! - The root is a setting (`CPTN_STORAGE_DIR`), so several servers can share one mounted
//!   directory.
//!
//! [`keep`]: StoredFile::keep

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a file no row names is left alone: a save may still be on its way to commit.
pub const ORPHAN_GRACE: Duration = Duration::from_hours(1);

/// What a file is for; decides its folder, the types it may have and its largest size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A profile's photo: PNG, JPEG or WebP, at most 5 MiB.
    ProfilePhoto,
    /// A petition's evidence (a certificate, a transcript): PDF, PNG or JPEG, at most 10 MiB.
    PetitionEvidence,
    /// A member's data export (P23): a zip archive the server builds, never an upload.
    DataExport,
    /// A vulnerability report's attachment (a screenshot, a write-up): PDF, PNG or JPEG, at
    /// most 5 MiB.
    ReportAttachment,
}

impl FileKind {
    /// Every kind, for the clean-up job.
    pub const ALL: [FileKind; 4] = [
        FileKind::ProfilePhoto,
        FileKind::PetitionEvidence,
        FileKind::DataExport,
        FileKind::ReportAttachment,
    ];

    /// The kinds a client uploads (their largest size bounds request bodies).
    pub const UPLOADS: [FileKind; 3] = [
        FileKind::ProfilePhoto,
        FileKind::PetitionEvidence,
        FileKind::ReportAttachment,
    ];

    /// The folder under the storage root.
    pub const fn folder(self) -> &'static str {
        match self {
            FileKind::ProfilePhoto => "photos",
            FileKind::PetitionEvidence => "evidence",
            FileKind::DataExport => "exports",
            FileKind::ReportAttachment => "reports",
        }
    }

    /// The largest file accepted.
    pub const fn max_bytes(self) -> usize {
        match self {
            FileKind::ProfilePhoto | FileKind::ReportAttachment => 5 * 1024 * 1024,
            FileKind::PetitionEvidence => 10 * 1024 * 1024,
            // Everything one member holds: a profile photo and a few dozen evidence files.
            FileKind::DataExport => 512 * 1024 * 1024,
        }
    }

    /// The types accepted.
    pub const fn accepts(self) -> &'static [ContentType] {
        match self {
            FileKind::ProfilePhoto => &[ContentType::Png, ContentType::Jpeg, ContentType::WebP],
            FileKind::PetitionEvidence | FileKind::ReportAttachment => {
                &[ContentType::Pdf, ContentType::Png, ContentType::Jpeg]
            }
            FileKind::DataExport => &[ContentType::Zip],
        }
    }

    /// What the uploader is told when the content is not one of them.
    const fn wrong_type_message(self) -> &'static str {
        match self {
            FileKind::ProfilePhoto => "Upload a PNG, JPEG or WebP image.",
            FileKind::PetitionEvidence | FileKind::ReportAttachment => "Upload a PDF, or a PNG or JPEG image.",
            FileKind::DataExport => "A data export is a zip archive.",
        }
    }
}

/// The largest upload of any kind: the HTTP layer refuses bigger bodies before reading them.
pub const MAX_UPLOAD_BYTES: usize = {
    let mut largest = 0;
    let mut i = 0;
    while i < FileKind::UPLOADS.len() {
        let size = FileKind::UPLOADS[i].max_bytes();
        if size > largest {
            largest = size;
        }
        i += 1;
    }
    largest
};

/// A file type we recognise by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    Png,
    Jpeg,
    WebP,
    Pdf,
    Zip,
}

impl ContentType {
    const ALL: [ContentType; 5] = [
        ContentType::Png,
        ContentType::Jpeg,
        ContentType::WebP,
        ContentType::Pdf,
        ContentType::Zip,
    ];

    /// The type `bytes` start like, if any.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Self::Zip)
        } else {
            None
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
            Self::Pdf => "pdf",
            Self::Zip => "zip",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.extension() == ext)
    }

    pub const fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Zip => "application/zip",
        }
    }
}

/// The type a stored file's name says it has, when the name is one storage could have made
/// (32 lowercase hex digits, a dot, a known extension); `None` for anything else, so no
/// name from a URL can reach another path.
pub fn parse_name(kind: FileKind, name: &str) -> Option<ContentType> {
    let (stem, ext) = name.split_once('.')?;
    let random = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ContentType::from_extension(ext).filter(|t| random && kind.accepts().contains(t))
}

/// The uploaded-files area.
#[derive(Clone, Debug)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn folder(&self, kind: FileKind) -> PathBuf {
        self.root.join(kind.folder())
    }

    fn path(&self, kind: FileKind, name: &str) -> PathBuf {
        self.folder(kind).join(name)
    }

    /// Checks `bytes` against `kind` (`VALIDATION` on `field` when too large or of another
    /// type) and writes them under a new random name. The file goes again when the returned
    /// guard is dropped without [`StoredFile::keep`].
    pub async fn save(&self, kind: FileKind, field: &'static str, bytes: &[u8]) -> Result<StoredFile> {
        if bytes.len() > kind.max_bytes() {
            return Err(Error::invalid(
                field,
                format!("A file can be at most {} MiB.", kind.max_bytes() / (1024 * 1024)),
            ));
        }
        let content_type = ContentType::sniff(bytes)
            .filter(|t| kind.accepts().contains(t))
            .ok_or_else(|| Error::invalid(field, kind.wrong_type_message()))?;
        let folder = self.folder(kind);
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| io_error("creating", &folder, &e))?;
        let stem = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("{stem}.{}", content_type.extension());
        // Written beside its final name first: a reader never finds half a file there, and
        // the clean-up job removes a temporary file a crash left.
        let temporary = folder.join(format!(".{stem}.partial"));
        let path = folder.join(&name);
        let written = async {
            tokio::fs::write(&temporary, bytes).await?;
            tokio::fs::rename(&temporary, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(io_error("writing", &path, &e));
        }
        Ok(StoredFile {
            path: Some(path),
            name,
            content_type,
        })
    }

    /// The bytes and type of the `kind` file `name`; `None` when there is no such file or
    /// the name is not one storage makes.
    pub async fn read(&self, kind: FileKind, name: &str) -> Result<Option<(Vec<u8>, ContentType)>> {
        let Some(content_type) = parse_name(kind, name) else {
            return Ok(None);
        };
        match tokio::fs::read(self.path(kind, name)).await {
            Ok(bytes) => Ok(Some((bytes, content_type))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("reading", &self.path(kind, name), &e)),
        }
    }

    /// Removes a file no committed row names any more. A failure is logged, not returned:
    /// the change it follows is already committed, and the `files` job retries.
    pub async fn remove(&self, kind: FileKind, name: &str) {
        if parse_name(kind, name).is_none() {
            return;
        }
        let path = self.path(kind, name);
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(kind = ?kind, error = %e, "an uploaded file could not be removed; the files job will retry");
        }
    }

    /// The names in `kind`'s folder last changed before `before`: stored files (by
    /// [`parse_name`]) and temporary files a crash left. Anything else is not storage's and
    /// is left alone.
    pub async fn files_older_than(&self, kind: FileKind, before: SystemTime) -> Result<Vec<String>> {
        let folder = self.folder(kind);
        let mut entries = match tokio::fs::read_dir(&folder).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error("listing", &folder, &e)),
        };
        let mut names = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_error("listing", &folder, &e))?
        {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let ours = parse_name(kind, &name).is_some() || is_temporary(&name);
            let Ok(metadata) = entry.metadata().await else {
                continue;
            };
            let old = metadata.modified().is_ok_and(|modified| modified < before);
            if ours && metadata.is_file() && old {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Removes the temporary file `name` a crash left (see [`Storage::files_older_than`]).
    pub async fn remove_temporary(&self, kind: FileKind, name: &str) {
        if is_temporary(name) {
            let _ = tokio::fs::remove_file(self.path(kind, name)).await;
        }
    }
}

/// A temporary file `save` writes before renaming it.
pub fn is_temporary(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".partial"))
        .is_some_and(|stem| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn io_error(doing: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Unexpected(anyhow::anyhow!("{doing} {}: {e}", path.display()))
}

/// A file just written: removed again when dropped, unless [`StoredFile::keep`] says the row
/// that names it is committed.
#[derive(Debug)]
pub struct StoredFile {
    path: Option<PathBuf>,
    name: String,
    content_type: ContentType,
}

impl StoredFile {
    /// The name to store in the row.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    /// The row naming the file is committed: it stays.
    pub fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // The transaction that was to name it failed (or the request was dropped); a
            // small synchronous unlink, so no file outlives its guard.
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_storage_makes_are_accepted() {
        let good = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            parse_name(FileKind::ProfilePhoto, &format!("{good}.png")),
            Some(ContentType::Png)
        );
        assert_eq!(
            parse_name(FileKind::ProfilePhoto, &format!("{good}.jpg")),
            Some(ContentType::Jpeg)
        );
        for bad in [
            format!("{good}.exe"),
            format!("{}.png", good.to_uppercase()),
            format!("../{good}.png"),
            format!("{good}.png.png"),
            format!("{good}x.png"),
            ".png".to_owned(),
            format!(".{good}.partial"),
        ] {
            assert_eq!(parse_name(FileKind::ProfilePhoto, &bad), None, "{bad}");
        }
        assert!(is_temporary(&format!(".{good}.partial")));
        assert!(!is_temporary(&format!("{good}.png")));
    }

    #[test]
    fn types_are_sniffed_from_content() {
        assert_eq!(ContentType::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ContentType::Png));
        assert_eq!(ContentType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ContentType::Jpeg));
        assert_eq!(ContentType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ContentType::WebP));
        assert_eq!(ContentType::sniff(b"GIF89a"), None);
        assert_eq!(ContentType::sniff(b"<svg"), None);
    }

    #[tokio::test]
    async fn a_file_not_kept_is_removed_and_a_kept_one_stays() -> Result<()> {
        let root = std::env::temp_dir().join(format!("cptn-storage-{}", uuid::Uuid::new_v4().simple()));
        let storage = Storage::new(&root);
        let png = b"\x89PNG\r\n\x1a\nbody";
        let dropped = storage.save(FileKind::ProfilePhoto, "file", png).await?;
        let dropped_name = dropped.name().to_owned();
        drop(dropped);
        assert_eq!(storage.read(FileKind::ProfilePhoto, &dropped_name).await?, None);
        let kept = storage.save(FileKind::ProfilePhoto, "file", png).await?;
        let kept_name = kept.name().to_owned();
        kept.keep();
        let read = storage.read(FileKind::ProfilePhoto, &kept_name).await?;
        assert_eq!(read, Some((png.to_vec(), ContentType::Png)));
        let too_big = vec![0_u8; FileKind::ProfilePhoto.max_bytes() + 1];
        assert!(storage.save(FileKind::ProfilePhoto, "file", &too_big).await.is_err());
        assert!(storage.save(FileKind::ProfilePhoto, "file", b"GIF89a").await.is_err());
        storage.remove(FileKind::ProfilePhoto, &kept_name).await;
        assert_eq!(storage.read(FileKind::ProfilePhoto, &kept_name).await?, None);
        let _ = std::fs::remove_dir_all(root);
        Ok(())
    }
}
