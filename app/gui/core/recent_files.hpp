// The recently opened checkpoints (QSettings "recent"), newest first, at most `kMax`; the File
// menu lists them.
#pragma once

#include <QStringList>

namespace ssmscope::gui::recent_files {

inline constexpr int kMax = 8;

QStringList list();
void add(const QString& dir);  // moves it to the front
void remove(const QString& dir);

}  // namespace ssmscope::gui::recent_files
