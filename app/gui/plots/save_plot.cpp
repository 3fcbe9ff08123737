#include "app/gui/plots/save_plot.hpp"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>
#include <cstdio>
#include <stdexcept>

#include <qcustomplot.h>

namespace ssmscope::gui {

void save_plot(QCustomPlot& plot, const QString& path) {
    const QFileInfo target(path);
    const bool pdf = target.suffix().compare("pdf", Qt::CaseInsensitive) == 0;
    // A unique name in the target's directory, so that the rename stays on one file system.
    QTemporaryFile temp(target.absolutePath() + "/." + target.fileName() + ".XXXXXX");
    if (!temp.open()) {
        throw std::runtime_error(QStringLiteral("%1: cannot write there (%2)")
                                     .arg(path, temp.errorString())
                                     .toStdString());
    }
    temp.close();
    const bool ok = pdf ? plot.savePdf(temp.fileName()) : plot.savePng(temp.fileName());
    // A full disk can also surface as a file cut short that the writer did not notice: check
    // that something complete arrived by the size being nonzero and the write having succeeded.
    if (!ok || QFileInfo(temp.fileName()).size() == 0) {
        throw std::runtime_error(
            QStringLiteral("%1: could not be written (disk full or not writable)")
                .arg(path)
                .toStdString());
    }
    if (std::rename(QFile::encodeName(temp.fileName()).constData(),
                    QFile::encodeName(target.absoluteFilePath()).constData()) != 0) {
        throw std::runtime_error(
            QStringLiteral("%1: cannot replace the file").arg(path).toStdString());
    }
    temp.setAutoRemove(false);  // it is the target now
}

}  // namespace ssmscope::gui
