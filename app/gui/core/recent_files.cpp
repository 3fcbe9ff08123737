#include "app/gui/core/recent_files.hpp"

#include <QDir>
#include <QSettings>

namespace ssmscope::gui::recent_files {

QStringList list() {
    return QSettings().value("recent").toStringList();
}

void add(const QString& dir) {
    QStringList l = list();
    const QString path = QDir(dir).absolutePath();
    l.removeAll(path);
    l.prepend(path);
    while (l.size() > kMax)
        l.removeLast();
    QSettings().setValue("recent", l);
}

void remove(const QString& dir) {
    QStringList l = list();
    l.removeAll(QDir(dir).absolutePath());
    QSettings().setValue("recent", l);
}

}  // namespace ssmscope::gui::recent_files
