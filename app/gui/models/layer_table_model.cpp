#include "app/gui/models/layer_table_model.hpp"

#include <QBrush>
#include <QColor>

namespace ssmscope::gui {

namespace {

using Badge = LayerTableModel::Badge;

// Full rank at every token is Yes; at some tokens Partly; at none No.
Badge rank_badge(const analysis::FrozenRanks& r, analysis::Index n) {
    if (r.pairs == 0)
        return Badge::NotApplicable;
    if (r.min == n)
        return Badge::Yes;
    return r.max == n ? Badge::Partly : Badge::No;
}

QString badge_text(Badge b) {
    switch (b) {
        case Badge::Yes:
            return QStringLiteral("✔ yes");
        case Badge::Partly:
            return QStringLiteral("◐ partly");
        case Badge::No:
            return QStringLiteral("✘ no");
        case Badge::NotApplicable:
            return QStringLiteral("–");
    }
    return {};
}

QColor badge_color(Badge b) {
    switch (b) {
        case Badge::Yes:
            return QColor(0, 158, 115, 60);
        case Badge::Partly:
            return QColor(230, 159, 0, 70);
        case Badge::No:
            return QColor(213, 94, 0, 70);
        case Badge::NotApplicable:
            break;
    }
    return {};
}

}  // namespace

Badge LayerTableModel::controllable(const analysis::LayerReport& l) {
    return rank_badge(l.ranks.ctrb, l.n);
}

Badge LayerTableModel::observable(const analysis::LayerReport& l) {
    return rank_badge(l.ranks.obsv, l.n);
}

// Stable: A Hurwitz and Ā Schur at every observed step in every unit.
Badge LayerTableModel::stable(const analysis::LayerReport& l) {
    const auto& s = l.stability;
    if (s.unstable_continuous == 0 && s.unstable_discrete == 0)
        return Badge::Yes;
    return std::max(s.unstable_continuous, s.unstable_discrete) < l.units ? Badge::Partly
                                                                          : Badge::No;
}

void LayerTableModel::set_result(std::shared_ptr<const AnalysisResult> result) {
    beginResetModel();
    result_ = std::move(result);
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !result_ ? 0 : static_cast<int>(result_->report.layers.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case Layer:
            return tr("Layer");
        case Form:
            return tr("A");
        case Size:
            return tr("Units × N");
        case Controllable:
            return tr("Controllable");
        case Observable:
            return tr("Observable");
        case Stable:
            return tr("Stable");
        case Tokens:
            return tr("Tokens");
        case Abscissa:
            return tr("max Re λ(A)");
        case Radius:
            return tr("max ρ(Ā)");
        case Lyapunov:
            return tr("Largest Lyapunov");
        default:
            return {};
    }
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !result_ || index.row() >= rowCount())
        return {};
    const analysis::LayerReport& l = result_->report.layers[static_cast<std::size_t>(index.row())];
    const auto& td = l.tokens_dynamics;
    std::optional<Badge> badge;
    switch (index.column()) {
        case Controllable:
            badge = controllable(l);
            break;
        case Observable:
            badge = observable(l);
            break;
        case Stable:
            badge = stable(l);
            break;
        default:
            break;
    }
    if (badge) {
        if (role == BadgeRole)
            return static_cast<int>(*badge);
        if (role == Qt::BackgroundRole && badge_color(*badge).isValid())
            return QBrush(badge_color(*badge));
    }
    if (role == Qt::ToolTipRole) {
        const auto& r = index.column() == Observable ? l.ranks.obsv : l.ranks.ctrb;
        switch (index.column()) {
            case Controllable:
            case Observable:
                return tr("rank of the frozen pairs over %1 %2s × %3 tokens (%4): min %5, median "
                          "%6, max %7 of N = %8; full at %9 % of them; tolerance %10")
                    .arg(l.units)
                    .arg(QString::fromStdString(l.unit_name))
                    .arg(l.tokens)
                    .arg(r.method)
                    .arg(r.min)
                    .arg(r.median)
                    .arg(r.max)
                    .arg(l.n)
                    .arg(100 * r.fraction_full, 0, 'f', 1)
                    .arg(r.tol, 0, 'g', 3);
            case Stable:
                return tr("%1 of %2 %3s have max Re λ(A) ≥ 0; %4 have ρ(exp(ΔA)) ≥ 1 over the "
                          "observed Δ in [%5, %6]")
                    .arg(l.stability.unstable_continuous)
                    .arg(l.units)
                    .arg(QString::fromStdString(l.unit_name))
                    .arg(l.stability.unstable_discrete)
                    .arg(l.stability.delta_min, 0, 'g', 4)
                    .arg(l.stability.delta_max, 0, 'g', 4);
            case Tokens:
                return td.not_applicable.empty()
                           ? tr("predicted from the weights (token-dynamics criterion): %1")
                                 .arg(analysis::to_string(td.predicted))
                           : QString::fromStdString(td.not_applicable);
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case Layer:
            return l.index;
        case Form:
            return QString::fromUtf8(analysis::to_string(l.form));
        case Size:
            return QStringLiteral("%1 × %2").arg(l.units).arg(l.n);
        case Controllable:
        case Observable:
        case Stable:
            return badge_text(*badge);
        case Tokens:
            return td.not_applicable.empty() ? QString::fromUtf8(analysis::to_string(td.predicted))
                                             : QStringLiteral("–");
        case Abscissa:
            return QString::number(l.stability.worst_abscissa, 'g', 4);
        case Radius:
            return QString::number(l.stability.worst_radius, 'g', 6);
        case Lyapunov:
            return QString::number(l.lyapunov.largest, 'g', 4);
        default:
            return {};
    }
}

}  // namespace ssmscope::gui
